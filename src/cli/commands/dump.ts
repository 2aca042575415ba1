/** `hepflow dump FILE[:OBJECT]`: the first values of some branches, or a histogram's bins, as a table or JSON. */
import type { Command } from "commander";
import { openFile, type RootFile, type RootHistogram } from "../../root/index.js";
import { HepflowError, isJagged, itemAt, onlyItem, type Column } from "../../util/index.js";

interface DumpOptions {
  branches?: string[];
  entries: string;
  start: string;
  json?: boolean;
}

const TREE_CLASSES = /^(TTree|TNtuple|TNtupleD|ROOT::(Experimental::)?RNTuple)$/;
const HIST_CLASSES = /^(TH[123][CSIFDL]?|TProfile(2D|3D)?)$/;

export function register(program: Command): void {
  program
    .command("dump <file[:object]>")
    .description("print branch values of a TTree or RNTuple (jagged as nested lists), or the bins of a histogram")
    .option("-b, --branches <names...>", "branch names or globs (default: all)")
    .option("-n, --entries <n>", "number of entries", "10")
    .option("-s, --start <n>", "first entry", "0")
    .option("--json", "trees: one JSON object per branch {branch, type, values}; histograms: one object with edges, contents, errors")
    .action(async (spec: string, o: DumpOptions) => {
      const cut = spec.lastIndexOf(":");
      // FILE alone (a URL's scheme is not an object separator): the file's only tree.
      const hasObject = cut > 0 && cut < spec.length - 1 && !/^[a-z]+:\/\/[^:]*$/i.test(spec);
      const path = hasObject ? spec.slice(0, cut) : spec.replace(/:$/, "");
      const n = Number(o.entries),
        start = Number(o.start);
      if (!Number.isInteger(n) || n < 0 || !Number.isInteger(start) || start < 0) throw new HepflowError("CLI_USAGE", "-n and -s take non-negative integers");
      const file = await openFile(path);
      try {
        const objectPath = hasObject ? spec.slice(cut + 1) : await onlyTree(file, path);
        const key = await file.key(objectPath);
        if (HIST_CLASSES.test(key.className)) {
          const h = (await file.get(objectPath)) as RootHistogram;
          process.stdout.write(o.json ? JSON.stringify(histogramJson(objectPath, h)) + "\n" : histogramTable(objectPath, h));
          return;
        }
        if (!TREE_CLASSES.test(key.className)) {
          throw new HepflowError("CLI_USAGE", `"${objectPath}" is a ${key.className}; dump prints trees and histograms`, { file: path, object: objectPath });
        }
        await dumpTree(file, objectPath, o, start, n);
      } finally {
        await file.close();
      }
    });
}

/** The path of the file's one tree; with none or several, an error that lists them. */
async function onlyTree(file: RootFile, path: string): Promise<string> {
  const keys = await file.keys();
  const trees = keys.filter((k) => TREE_CLASSES.test(k.className)).map((k) => k.path);
  const only = onlyItem(trees);
  if (only !== undefined) return only;
  const list = (names: string[]) => `${names.slice(0, 10).join(", ")}${names.length > 10 ? ", …" : ""}`;
  const hists = keys.filter((k) => HIST_CLASSES.test(k.className)).map((k) => k.path);
  const what = trees.length === 0 ? `holds no tree${hists.length ? ` (histograms: ${list(hists)})` : ""}` : `holds ${trees.length} trees (${list(trees)})`;
  throw new HepflowError("CLI_USAGE", `the file ${what}; name the object: ${path}:NAME`, { file: path });
}

async function dumpTree(file: RootFile, treePath: string, o: DumpOptions, start: number, n: number): Promise<void> {
  const tree = await file.tree(treePath);
  const names = o.branches?.flatMap((b) => b.split(",")).filter(Boolean);
  const cols = await tree.arrays(names, { entryStart: start, entryStop: start + n });
  const types = new Map(tree.branches.map((b) => [b.name, b.typeName]));
  if (o.json) {
    for (const [name, col] of Object.entries(cols)) {
      process.stdout.write(JSON.stringify({ branch: name, type: types.get(name), entryStart: start, values: toPlain(col) }) + "\n");
    }
    return;
  }
  const names2 = Object.keys(cols);
  const plain = Object.values(cols).map(toPlain);
  const rows = plain[0]?.length ?? 0;
  const lines = [["entry", ...names2].join("\t")];
  for (let i = 0; i < rows; i++) lines.push([String(start + i), ...plain.map((p) => JSON.stringify(p[i]))].join("\t"));
  process.stdout.write(lines.join("\n") + "\n");
}

/**
 * The shortest decimal that reads back as the same float32: a float32 widened to a double
 * (9.899999618530273) is printed as what was stored (9.9). `Math.fround` of it gives the exact value.
 */
export function float32Text(v: number): number {
  if (!Number.isFinite(v) || v === 0) return v;
  for (let p = 1; p < 9; p++) {
    const short = Number(v.toPrecision(p));
    if (Math.fround(short) === v) return short;
  }
  return Number(v.toPrecision(9));
}

/** A column as nested plain arrays (BigInts as decimal strings when beyond 2^53, so JSON stays exact; float32 at float32 precision). */
function toPlain(col: Column): unknown[] {
  const scalar = (v: unknown) => (typeof v === "bigint" ? (v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString()) : v);
  if (isJagged(col)) {
    const inner = toPlain(col.content);
    return Array.from({ length: col.length }, (_, i) => inner.slice(col.offsets[i], col.offsets[i + 1]));
  }
  const f32 = col instanceof Float32Array;
  return Array.from(col as ArrayLike<unknown>, (v) => (typeof v === "number" ? (!Number.isFinite(v) ? String(v) : f32 ? float32Text(v) : v) : scalar(v)));
}

/** Bin edges of an axis: stored ones for variable binning, else ROOT's xmin + i·width. */
function edgesOf(a: RootHistogram["xaxis"]): number[] {
  if (a.edges && a.edges.length === a.nbins + 1) return Array.from(a.edges);
  return Array.from({ length: a.nbins + 1 }, (_, i) => a.xmin + (i * (a.xmax - a.xmin)) / a.nbins);
}

/** ROOT's bin errors: √Σw² when the histogram stored Σw², else √|content| (TH1::GetBinError). */
function errorsOf(h: RootHistogram): number[] {
  if (h.sumw2 && h.sumw2.length === h.contents.length) return Array.from(h.sumw2, Math.sqrt);
  return Array.from(h.contents, (c) => Math.sqrt(Math.abs(c)));
}

function axesOf(h: RootHistogram): RootHistogram["xaxis"][] {
  return [h.xaxis, h.yaxis, h.zaxis].slice(0, h.dimension) as RootHistogram["xaxis"][];
}

function refuseProfile(path: string, h: RootHistogram): void {
  // A profile's bins hold Σw·y; its value and error need the per-bin entries and spread (not yet here).
  if (h.profile) throw new HepflowError("CLI_USAGE", `"${path}" is a ${h.className}; dump prints TH1/TH2/TH3 histograms, not profiles yet`, { object: path });
}

/** A histogram as JSON: axes with edges, then contents and errors per global bin (flow bins included, ROOT's order). */
function histogramJson(path: string, h: RootHistogram): unknown {
  refuseProfile(path, h);
  const value = /F$/.test(h.className) ? float32Text : (v: number) => v;
  return {
    object: path,
    className: h.className,
    title: h.title,
    entries: h.entries,
    axes: axesOf(h).map((a) => ({ title: a.title, nbins: a.nbins, edges: edgesOf(a), ...(a.labels ? { labels: a.labels } : {}) })),
    flow: "contents and errors include underflow and overflow: global bin = x + (nx+2)·(y + (ny+2)·z)",
    contents: Array.from(h.contents, value),
    errors: errorsOf(h),
  };
}

/** A histogram as a text table: one row per bin (flow bins marked), its range on every axis, content and error. */
function histogramTable(path: string, h: RootHistogram): string {
  refuseProfile(path, h);
  const axes = axesOf(h);
  const value = /F$/.test(h.className) ? float32Text : (v: number) => v;
  const errors = errorsOf(h);
  const names = ["x", "y", "z"];
  const head = [...axes.flatMap((_, d) => [`${names[d]} bin`, `${names[d]} low`, `${names[d]} high`]), "content", "error"];
  // Edges to 12 digits (xmin + i·width carries rounding noise: -0.6000000000000001), errors to 6;
  // --json keeps every digit.
  const edge = (x: number) => String(Number(x.toPrecision(12)));
  // Per axis, the three cells of each of its nbins + 2 bins (underflow, the bins, overflow).
  const axisCells = axes.map((a) => {
    const out: string[][] = [];
    let lo = -Infinity;
    for (const [i, hi] of edgesOf(a).entries()) {
      out.push(i === 0 ? ["underflow", "-inf", edge(hi)] : [String(i), edge(lo), edge(hi)]);
      lo = hi;
    }
    out.push(["overflow", edge(lo), "inf"]);
    return out;
  });
  const rows: string[][] = [];
  for (const [g, content] of h.contents.entries()) {
    let rest = g;
    const cells: string[] = [];
    for (const bins of axisCells) {
      cells.push(...itemAt(bins, rest % bins.length, `bin ${rest % bins.length}`, "ROOT_CORRUPT", { object: path }));
      rest = Math.floor(rest / bins.length);
    }
    rows.push([...cells, String(value(content)), String(Number(itemAt(errors, g, `error of bin ${g}`, "ROOT_CORRUPT", { object: path }).toPrecision(6)))]);
  }
  const widths = head.map((t) => t.length);
  for (const r of rows) for (const [i, c] of r.entries()) widths[i] = Math.max(widths[i] ?? 0, c.length);
  const line = (r: string[]) => r.map((c, i) => c.padStart(widths[i] ?? 0)).join("  ");
  const title = `${path}  ${h.className}  "${h.title}"  ${h.entries} entries`;
  return [title, line(head), ...rows.map(line)].join("\n") + "\n";
}
