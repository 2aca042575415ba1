/**
 * Datasets as a request names them → the list of input files, each with an identity for the
 * cache key. A dataset is a file path or glob, an http(s) URL, a list of those, or a name the
 * operator's catalogue maps to files (`zee`, `cernopendata://1507`, …). `?files=N` keeps the
 * first N files of the sorted list: a stable subset for quick iteration. Local paths must lie
 * under the operator's allowed roots, so a request cannot make the service read /etc.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { createRequire } from "node:module";
import { HepflowError } from "../util/index.js";

/** One input file and what identifies its content (path, size, mtime; or the URL). */
export interface DatasetFile {
  path: string;
  identity: string;
}

export interface ResolveOptions {
  /** JSON file: `{ "name": ["path-or-glob-or-url", …] }`; relative entries are relative to it. */
  catalogue?: string;
  /** Local files must be under one of these folders. */
  allowedRoots: string[];
}

// picomatch ships no type declarations; this is the one call used.
const picomatch = createRequire(import.meta.url)("picomatch") as (glob: string) => (name: string) => boolean;

const GLOB = /[*?[\]{}]/;

function datasetError(message: string, did: string): HepflowError {
  return new HepflowError("DATASET", message, { object: `dataset "${did}"` });
}

function readCatalogue(file: string): Record<string, string[]> {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new HepflowError("DATASET_CATALOGUE", `cannot read the catalogue: ${(e as Error).message}`, { file });
  }
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw new HepflowError("DATASET_CATALOGUE", "the catalogue must be an object of name → list of files", { file });
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    const list = typeof v === "string" ? [v] : v;
    if (!Array.isArray(list) || !list.every((x) => typeof x === "string")) throw new HepflowError("DATASET_CATALOGUE", `entry "${k}" must be a list of file paths, globs or URLs`, { file });
    out[k] = (list as string[]).map((x) => (/^[a-z]+:\/\//.test(x) || path.isAbsolute(x) ? x : path.resolve(path.dirname(file), x)));
  }
  return out;
}

function under(p: string, roots: readonly string[]): boolean {
  return roots.some((r) => {
    const rel = path.relative(r, p);
    return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
  });
}

function walk(dir: string, out: string[]): void {
  let ents: fs.Dirent[];
  try {
    ents = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of ents) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile()) out.push(p);
  }
}

function expandLocal(spec: string, did: string, o: ResolveOptions): string[] {
  const abs = path.resolve(spec.replace(/^file:\/\//, ""));
  if (!GLOB.test(abs)) {
    const real = fs.existsSync(abs) ? fs.realpathSync(abs) : abs;
    if (!under(real, o.allowedRoots)) throw datasetError(`${abs} is outside the folders this service may read (${o.allowedRoots.join(", ")})`, did);
    if (!fs.existsSync(abs)) throw datasetError(`no such file: ${abs}`, did);
    return [real];
  }
  const parts = abs.split(path.sep);
  const first = parts.findIndex((x) => GLOB.test(x));
  const base = parts.slice(0, first).join(path.sep) || path.sep;
  if (!under(fs.existsSync(base) ? fs.realpathSync(base) : base, o.allowedRoots)) throw datasetError(`${base} is outside the folders this service may read`, did);
  const isMatch = picomatch(abs);
  const all: string[] = [];
  walk(base, all);
  return all
    .filter((f) => isMatch(f))
    .map((f) => fs.realpathSync(f))
    .filter((f) => under(f, o.allowedRoots));
}

/** Resolves a dataset (string or list) into its sorted files, applying `?files=N`. */
export function resolveDataset(did: string | readonly string[], o: ResolveOptions): DatasetFile[] {
  const label = typeof did === "string" ? did : `${did.length} files`;
  let specs: string[];
  let limit: number | null = null;
  if (typeof did === "string") {
    const m = /^(.*?)\?files=(\d+)$/.exec(did);
    const name = m?.[1] ?? did;
    if (m) limit = Number(m[2]);
    const cat = o.catalogue ? readCatalogue(o.catalogue) : {};
    const key = name.replace(/^catalog(ue)?:\/\//, "");
    const listed = cat[key] ?? cat[name];
    if (listed) specs = listed;
    else if (/^[a-z][a-z0-9+.-]*:\/\//.test(name) && !/^(https?|file):\/\//.test(name)) {
      throw datasetError(`the catalogue has no dataset "${name}"${o.catalogue ? ` (catalogue: ${o.catalogue})` : " (the service runs without a catalogue)"}`, did);
    } else if (!name.includes("/") && !name.includes(".") && !GLOB.test(name)) {
      throw datasetError(`no dataset named "${name}" in the catalogue${Object.keys(cat).length ? `; it has: ${Object.keys(cat).join(", ")}` : ""}`, did);
    } else specs = [name];
  } else specs = [...did];
  const files = new Set<string>();
  for (const s of specs) {
    if (/^https?:\/\//.test(s)) files.add(s);
    else if (/^root:\/\//.test(s)) files.add(s);
    else for (const f of expandLocal(s, label, o)) files.add(f);
  }
  let list = [...files].sort();
  if (!list.length) throw datasetError("the dataset has no files", label);
  if (limit !== null) list = list.slice(0, Math.max(1, limit));
  return list.map((p) => {
    if (/^[a-z]+:\/\//.test(p)) return { path: p, identity: p };
    const st = fs.statSync(p);
    return { path: p, identity: `${p}:${st.size}:${Math.round(st.mtimeMs)}` };
  });
}
