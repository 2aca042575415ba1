/**
 * The content-addressed step cache. A step's key is the SHA-256 of (the packtivity spec, its
 * resolved parameters with the run's own directories written as tokens, and the SHA-256 of every
 * input file or directory a parameter names). A hit copies the stored work directory into place
 * and returns the stored outputs with the new paths, so the same step in another run directory,
 * another workflow or a later CI job is served without running. yadage instead keys on the task
 * JSON alone (so an edited input file is not noticed); here changed input bytes change the key.
 */
import { createHash } from "node:crypto";
import { cpSync, createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import type { Json, JsonObject } from "./types.js";
import { isObject } from "./types.js";

const WORKDIR = "{{hepflow:workdir}}";
const RUNDIR = "{{hepflow:rundir}}";

/** JSON with sorted keys, so equal values hash equally. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (v !== null && typeof v === "object")
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(v) ?? "null";
}

const memo = new Map<string, { size: number; mtimeMs: number; digest: string }>();

function fileDigest(path: string): Promise<string> {
  const st = statSync(path);
  const m = memo.get(path);
  if (m && m.size === st.size && m.mtimeMs === st.mtimeMs) return Promise.resolve(m.digest);
  return new Promise((ok, fail) => {
    const h = createHash("sha256");
    createReadStream(path)
      .on("error", fail)
      .on("data", (b) => h.update(b))
      .on("end", () => {
        const digest = h.digest("hex");
        memo.set(path, { size: st.size, mtimeMs: st.mtimeMs, digest });
        ok(digest);
      });
  });
}

/** SHA-256 of a file, or of a directory's sorted listing of names and file digests. */
export async function pathDigest(path: string): Promise<string> {
  const st = statSync(path);
  if (!st.isDirectory()) return fileDigest(path);
  const h = createHash("sha256");
  for (const name of readdirSync(path).sort()) h.update(`${name}\0${await pathDigest(join(path, name))}\n`);
  return h.digest("hex");
}

/** Replaces the run's directories in every string by tokens (or back, with `reverse`). */
function retoken(v: Json, from: Array<[string, string]>): Json {
  if (typeof v === "string") return from.reduce((s, [a, b]) => s.split(a).join(b), v);
  if (Array.isArray(v)) return v.map((x) => retoken(x, from));
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, retoken(x, from)]));
  return v;
}

function stringLeaves(v: Json, out: string[] = []): string[] {
  if (typeof v === "string") out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => stringLeaves(x, out));
  else if (isObject(v)) Object.values(v).forEach((x) => stringLeaves(x, out));
  return out;
}

/** The cache key of a step (see the module comment). */
export async function stepKey(spec: JsonObject, pars: JsonObject, dirs: { workdir: string; rundir: string }): Promise<string> {
  const tokens: Array<[string, string]> = [
    [dirs.workdir, WORKDIR],
    [dirs.rundir, RUNDIR],
  ];
  const inputs: Record<string, string> = {};
  for (const s of stringLeaves(pars)) {
    if (!isAbsolute(s) || s === dirs.workdir || s.startsWith(dirs.workdir + sep)) continue;
    if (existsSync(s)) inputs[retoken(s, tokens) as string] = await pathDigest(s);
  }
  return createHash("sha256")
    .update(canonicalJson({ v: 1, spec, pars: retoken(pars, tokens), inputs }))
    .digest("hex");
}

/** A cache directory of step results: KEY/result.json and KEY/files/ (the work directory). */
export class StepCache {
  constructor(readonly dir: string) {}

  /** The stored outputs for `key` restored into `workdir`, or undefined on a miss. */
  restore(key: string, dirs: { workdir: string; rundir: string }): Json | undefined {
    const entry = join(this.dir, key.slice(0, 2), key);
    const rec = join(entry, "result.json");
    if (!existsSync(rec)) return undefined;
    const stored = JSON.parse(readFileSync(rec, "utf8")) as { result: Json };
    rmSync(dirs.workdir, { recursive: true, force: true });
    mkdirSync(dirs.workdir, { recursive: true });
    if (existsSync(join(entry, "files"))) cpSync(join(entry, "files"), dirs.workdir, { recursive: true, preserveTimestamps: true });
    return retoken(stored.result, [
      [WORKDIR, dirs.workdir],
      [RUNDIR, dirs.rundir],
    ]);
  }

  /** Stores a finished step (written aside, then renamed, so a half-written entry is never read). */
  store(key: string, result: Json, dirs: { workdir: string; rundir: string }): void {
    const entry = join(this.dir, key.slice(0, 2), key);
    if (existsSync(join(entry, "result.json"))) return;
    const tmp = `${entry}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    mkdirSync(tmp, { recursive: true });
    if (existsSync(dirs.workdir)) cpSync(dirs.workdir, join(tmp, "files"), { recursive: true, preserveTimestamps: true });
    writeFileSync(
      join(tmp, "result.json"),
      JSON.stringify({
        result: retoken(result, [
          [dirs.workdir, WORKDIR],
          [dirs.rundir, RUNDIR],
        ]),
        stored: new Date().toISOString(),
      }),
    );
    try {
      renameSync(tmp, entry);
    } catch {
      rmSync(tmp, { recursive: true, force: true }); // another run stored it first
    }
  }
}

/** The default cache directory: $HEPFLOW_CACHE_DIR, else $XDG_CACHE_HOME/hepflow/steps, else ~/.cache/hepflow/steps. */
export function defaultCacheDir(): string {
  if (process.env.HEPFLOW_CACHE_DIR) return resolve(process.env.HEPFLOW_CACHE_DIR);
  const base = process.env.XDG_CACHE_HOME ?? join(process.env.HOME ?? ".", ".cache");
  return join(base, "hepflow", "steps");
}

export const relativeTo = (base: string, p: string): string => relative(base, p);
