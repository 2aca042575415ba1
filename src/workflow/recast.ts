/**
 * RECAST catalogue entries in recast-atlas's format: `name`, `metadata`, `spec: {toplevel,
 * workflow}`, `example_inputs: {NAME: {initdata}}`, `results: [{name, relpath, load_yaml}]`.
 * An entry is a YAML file; the built-in catalogue is `examples/recast/<entry>/recast.yml` of the
 * package, and `$HEPFLOW_RECAST_CATALOGUE` (folders, separated by `:`) adds more: each folder's
 * `NAME.yml` files and `FOLDER/recast.yml` files are entries (recast-atlas keeps one `NAME.yml` per entry).
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { HepflowError, onlyItem } from "../util/index.js";
import { readSpecFile } from "./yadage/load.js";

/** One result a RECAST workflow declares. */
export interface RecastResult {
  name: string;
  relpath: string;
  load_yaml?: boolean;
}

/** A catalogue entry, with the file it was read from. */
export interface RecastEntry {
  name: string;
  metadata: Record<string, unknown>;
  spec: { toplevel?: string; workflow: string };
  example_inputs: Record<string, { initdata?: Record<string, unknown> }>;
  results: RecastResult[];
  file: string;
}

const PACKAGE_ROOT = path.resolve(fileURLToPath(new URL("../../", import.meta.url)));

/** The catalogue folders searched: the package's examples/recast, then $HEPFLOW_RECAST_CATALOGUE. */
export function catalogueDirs(extra: string[] = []): string[] {
  const env = (process.env.HEPFLOW_RECAST_CATALOGUE ?? "").split(":").filter(Boolean);
  return [path.join(PACKAGE_ROOT, "examples", "recast"), ...env, ...extra].map((d) => path.resolve(d));
}

function entryFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) {
      if (existsSync(path.join(p, "recast.yml"))) out.push(path.join(p, "recast.yml"));
    } else if (/\.ya?ml$/.test(name)) out.push(p);
  }
  return out;
}

/** Reads and checks one entry file. */
export function readEntry(file: string): RecastEntry {
  const doc = readSpecFile(file) as Partial<RecastEntry> | null;
  const bad = (object: string, msg: string) => new HepflowError("RECAST_ENTRY", msg, { file, object });
  if (!doc || typeof doc !== "object") throw bad("/", "a catalogue entry must be a mapping");
  if (typeof doc.name !== "string") throw bad("/name", "missing the entry's name");
  if (!doc.spec || typeof doc.spec.workflow !== "string") throw bad("/spec/workflow", "missing the workflow file");
  if (doc.results !== undefined && !Array.isArray(doc.results)) throw bad("/results", "results must be a list of {name, relpath, load_yaml}");
  (doc.results ?? []).forEach((r, i) => {
    if (!r || typeof r.name !== "string" || typeof r.relpath !== "string") throw bad(`/results/${i}`, "a result needs name and relpath");
  });
  return {
    name: doc.name,
    metadata: (doc.metadata ?? {}) as Record<string, unknown>,
    spec: doc.spec,
    example_inputs: (doc.example_inputs ?? {}) as RecastEntry["example_inputs"],
    results: doc.results ?? [],
    file,
  };
}

/** Every entry of the catalogue (entries that do not parse are reported, not skipped). */
export function listEntries(extraDirs: string[] = []): RecastEntry[] {
  return catalogueDirs(extraDirs).flatMap(entryFiles).map(readEntry);
}

/** The entry called `name` (its full name, or the part after the last `/`). */
export function findEntry(name: string, extraDirs: string[] = []): RecastEntry {
  const all = listEntries(extraDirs);
  const hit = all.filter((e) => e.name === name || e.name.split("/").pop() === name);
  const only = onlyItem(hit);
  if (only) return only;
  if (hit.length > 1) throw new HepflowError("RECAST_AMBIGUOUS", `"${name}" names ${hit.length} entries: ${hit.map((e) => e.name).join(", ")}`);
  throw new HepflowError("RECAST_UNKNOWN", `no catalogue entry "${name}"; entries: ${all.map((e) => e.name).join(", ") || "none"}`);
}

/** Where an entry's workflow lives: its toplevel folder and workflow file (a remote toplevel cannot be used offline). */
export function entryWorkflow(entry: RecastEntry): { toplevel: string; workflow: string } {
  const top = entry.spec.toplevel ?? ".";
  if (/^[a-z]+:/i.test(top)) {
    throw new HepflowError("RECAST_REMOTE", `the workflow lives at ${top}, which this machine cannot fetch; copy it locally and point spec.toplevel at the folder`, { file: entry.file, object: "/spec/toplevel" });
  }
  const toplevel = path.resolve(path.dirname(entry.file), top);
  return { toplevel, workflow: entry.spec.workflow };
}

/** The init data of an example (undefined name: "default", else the only example). */
export function exampleInit(entry: RecastEntry, example?: string): Record<string, unknown> {
  const names = Object.keys(entry.example_inputs);
  const chosen = example ?? (names.includes("default") ? "default" : names.length === 1 ? names[0] : undefined);
  if (chosen === undefined) return {};
  const ex = entry.example_inputs[chosen];
  if (!ex) throw new HepflowError("RECAST_EXAMPLE", `no example "${chosen}"; examples: ${names.join(", ") || "none"}`, { file: entry.file, object: "/example_inputs" });
  return { ...(ex.initdata ?? {}) };
}

/** A declared result of a finished run: its path, whether it exists, and (load_yaml) its parsed content. */
export function readResult(rundir: string, r: RecastResult): { name: string; path: string; exists: boolean; value?: unknown } {
  const p = path.join(rundir, r.relpath);
  const exists = existsSync(p);
  return { name: r.name, path: p, exists, ...(exists && r.load_yaml ? { value: parseYaml(readFileSync(p, "utf8")) as unknown } : {}) };
}
