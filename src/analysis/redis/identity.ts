/**
 * What makes two chunk jobs the same job: the processor's code (and the hepflow version that
 * runs it), its parameters, the file, the tree and the entry range. The job id is a hash of
 * these, so submitting a run twice adds nothing, and a second client asking for the same run
 * attaches to the jobs already queued or finished.
 */
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import type { WorkItem } from "../runner.js";

/** Source files that make up a processor (its folder, recursively, without node_modules and dot folders). */
const SOURCE = /\.(mjs|cjs|js|ts|mts|json|ya?ml)$/;

let version: string | undefined;
/** The hepflow version: a worker running another one refuses jobs (its kernels may differ). */
export function hepflowVersion(): string {
  version ??= (JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string }).version;
  return version;
}

/**
 * Hash of the processor's code: every source file in the folder of `processorFile` (a
 * processor imports its siblings), the opener module if any, and the hepflow version.
 */
export function codeHash(processorFile: string, openerFile?: string): string {
  const h = createHash("sha256");
  h.update(`hepflow ${hepflowVersion()}\n`);
  const root = dirname(processorFile);
  h.update(`main ${relative(root, processorFile)}\n`);
  for (const f of sourceFiles(root)) {
    h.update(`file ${relative(root, f)}\n`);
    h.update(readFileSync(f));
  }
  if (openerFile) {
    h.update("opener\n");
    h.update(readFileSync(openerFile));
  }
  return h.digest("hex");
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (e.name.startsWith(".") || e.name === "node_modules") continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (e.isFile() && SOURCE.test(e.name)) out.push(p);
  }
  return out;
}

/** JSON with sorted keys, so equal values hash equally whatever order they were written in. */
export function canonicalJson(x: unknown): string {
  if (x === null || typeof x !== "object") return JSON.stringify(x) ?? "null";
  if (Array.isArray(x)) return `[${x.map(canonicalJson).join(",")}]`;
  const o = x as Record<string, unknown>;
  return `{${Object.keys(o)
    .sort()
    .filter((k) => o[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
    .join(",")}}`;
}

/** A file's identity: a URL as written; a local file with its size and modification time (a rewritten file is new work). */
export function fileIdentity(path: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) return path;
  try {
    const s = statSync(path);
    return `${path}|${s.size}|${Math.round(s.mtimeMs)}`;
  } catch {
    return path;
  }
}

/** The job id of one chunk. */
export function jobId(code: string, params: unknown, fileId: string, item: WorkItem): string {
  const h = createHash("sha256");
  h.update(canonicalJson({ code, params, file: fileId, tree: item.treeName, entries: [item.entryStart, item.entryStop], meta: item.meta }));
  return h.digest("hex").slice(0, 40);
}
