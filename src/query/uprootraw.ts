/**
 * ServiceX's `UprootRaw` form: `[{'treename': 'Events', 'filter_name': ['Jet_*', 'MET_pt'], 'cut': 'nJet >= 4'}]`.
 * Read with the Python parser (it is a Python/JSON literal), it becomes a plan directly: the
 * branches `filter_name` selects (globs; `/regex/` limited to `.` and `.*`), and `cut` in
 * hepflow's column expression language as the event filter. Only one tree entry is supported;
 * `copy_histograms` entries are refused by name.
 */
import { createRequire } from "node:module";
import type { BranchInfo } from "../root/index.js";
import { onlyItem } from "../util/index.js";
import type { QNode } from "./ast.js";
import { queryError } from "./errors.js";
import type { Plan } from "./translate.js";

// picomatch ships no type declarations; this is the one call used.
const picomatch = createRequire(import.meta.url)("picomatch") as (glob: string) => (name: string) => boolean;

type Dict = Extract<QNode, { type: "dict" }>;

function entries(n: QNode): Dict[] | null {
  const list = n.type === "list" ? n.items : n.type === "dict" ? [n] : null;
  if (!list?.length || !list.every((d) => d.type === "dict")) return null;
  const dicts = list as Dict[];
  const keys = dicts.flatMap((d) => d.keys.map((k) => (k.type === "string" ? k.value : "")));
  return keys.some((k) => k === "treename" || k === "filter_name" || k === "copy_histograms") ? dicts : null;
}

/** True when a query tree is an UprootRaw request. */
export function isUprootRaw(n: QNode): boolean {
  return entries(n) !== null;
}

function field(d: Dict, name: string): QNode | undefined {
  const i = d.keys.findIndex((k) => k.type === "string" && k.value === name);
  return i < 0 ? undefined : d.values[i];
}

/** The input tree an UprootRaw request names (`'treename': 'Events'` or `{'Events': 'out'}`). */
export function uprootRawTree(n: QNode): string | null {
  const d = entries(n)?.find((x) => field(x, "treename"));
  const t = d && field(d, "treename");
  if (t?.type === "string") return t.value;
  if (t?.type === "dict" && t.keys[0]?.type === "string") return t.keys[0].value;
  return null;
}

function globOf(s: string, source: string | undefined, n: QNode): string {
  if (!s.startsWith("/")) return s;
  const re = /^\/(.*)\/$/.exec(s)?.[1];
  if (re === undefined || !/^[A-Za-z0-9_]*(\.\*?[A-Za-z0-9_]*)*$/.test(re))
    throw queryError("QUERY_UPROOTRAW", `filter_name regex ${s} is beyond what this service accepts (letters, digits, _, . and .*); write a glob such as mu*`, source, n.span);
  return re.replace(/\.\*/g, "*").replace(/\./g, "?");
}

/** The plan of an UprootRaw request against a tree's branches. */
export function uprootRawPlan(n: QNode, branches: readonly BranchInfo[], source?: string): Plan {
  const dicts = entries(n)!;
  const trees = dicts.filter((d) => field(d, "treename") || field(d, "filter_name"));
  if (dicts.some((d) => field(d, "copy_histograms"))) throw queryError("QUERY_UNSUPPORTED", "copy_histograms is not supported: the service delivers tree columns", source, n.span);
  const d = onlyItem(trees);
  if (d === undefined) throw queryError("QUERY_UNSUPPORTED", "UprootRaw with more than one tree entry is not supported", source, n.span);
  for (const k of d.keys) {
    if (k.type !== "string" || !["treename", "filter_name", "cut"].includes(k.value))
      throw queryError("QUERY_UPROOTRAW", `unknown UprootRaw key ${k.type === "string" ? `"${k.value}"` : ""} (known: treename, filter_name, cut)`, source, k.span);
  }
  const fn = field(d, "filter_name");
  const pats = !fn ? ["*"] : fn.type === "string" ? [fn.value] : fn.type === "list" && fn.items.every((x) => x.type === "string") ? fn.items.map((x) => (x as { value: string }).value) : null;
  if (!pats) throw queryError("QUERY_UPROOTRAW", "filter_name must be a name, a glob or a list of them", source, fn?.span);
  const matchers = pats.map((p) => ({ p, m: picomatch(globOf(p, source, fn ?? n)) }));
  const columns: Plan["columns"] = [];
  for (const { p, m } of matchers) {
    const hit = branches.filter((b) => m(b.name));
    if (!hit.length) throw queryError("QUERY_UNKNOWN_BRANCH", `filter_name "${p}" matches no branch of the tree`, source, fn?.span);
    for (const b of hit) {
      if (columns.some((c) => c.name === b.name)) continue;
      const jag = b.counter !== undefined || /vector<|\[/.test(b.typeName);
      columns.push({ name: b.name, expr: "`" + b.name + "`", shape: jag ? "jagged" : "flat", axis: jag ? (b.counter ?? "std::vector") : null });
    }
  }
  const cut = field(d, "cut");
  if (cut && cut.type !== "string") throw queryError("QUERY_UPROOTRAW", "cut must be a string in the column expression language", source, cut.span);
  return { tree: uprootRawTree(n), mask: cut ? (cut as { value: string }).value : null, columns, flatten: false, zipped: false, take: null, aggregate: null };
}
