/**
 * Datasets: which files make up which sample, with the numbers a processor needs to normalise
 * (events, cross section). Two JSON shapes are accepted: hepflow's own list of samples, and the
 * AGC `nanoaod_inputs.json` catalogue (process → variation → {nevts_total, files}).
 */
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { HepflowError } from "../util/index.js";

/** One input file of a sample. */
export interface DatasetFile {
  path: string;
  /** Entries in the file's tree, when the catalogue knows it (used for normalisation). */
  nevts?: number;
}

/** One sample: files read with the same tree name and processed with the same metadata. */
export interface Sample {
  name: string;
  treeName: string;
  files: DatasetFile[];
  /** Sum of `nevts` over the files listed (after `maxFiles`), when every file has one. */
  nevts?: number;
  /** Cross section in pb, when known. */
  xsec?: number;
  /** Free metadata handed to the processor with every chunk (e.g. process, variation). */
  metadata: Record<string, unknown>;
}

export interface Dataset {
  samples: Sample[];
  /** Where it was loaded from (relative file paths were resolved against its folder). */
  source?: string;
}

export interface DatasetOptions {
  /** Keep only the first K files of every sample (AGC "files per sample"); -1 or undefined = all. */
  maxFiles?: number;
  /** Rewrite file path prefixes, e.g. {"https://xrootd-local.unl.edu:1094//store/user/AGC/nanoAOD": "/data/agc"}. */
  prefixRewrite?: Record<string, string>;
  /** Tree name for catalogues that do not name one (AGC: "Events"). */
  defaultTreeName?: string;
}

const invalid = (file: string | undefined, path: string, what: string): HepflowError => new HepflowError("DATASET_INVALID", `${what}; fix the dataset JSON`, { file, object: path });

/** Read and validate a dataset JSON file; relative file paths are resolved against its folder. */
export function loadDataset(file: string, options: DatasetOptions = {}): Dataset {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new HepflowError("DATASET_NOT_FOUND", `cannot read the dataset file (${(e as Error).message})`, { file });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new HepflowError("DATASET_INVALID", `not valid JSON (${(e as Error).message})`, { file });
  }
  const ds = parseDataset(json, { ...options, source: file });
  return ds;
}

/** Validate a parsed dataset (either shape) and apply maxFiles / prefix rewriting. */
export function parseDataset(json: unknown, options: DatasetOptions & { source?: string } = {}): Dataset {
  const src = options.source;
  const samples = isSampleList(json) ? parseSampleList(json, src, options) : parseAgcCatalogue(json, src, options);
  const names = new Set<string>();
  for (const s of samples) {
    if (names.has(s.name)) throw invalid(src, s.name, `sample name "${s.name}" appears twice`);
    names.add(s.name);
  }
  const base = src ? dirname(resolve(src)) : undefined;
  for (const s of samples) {
    if (options.maxFiles !== undefined && options.maxFiles >= 0) s.files = s.files.slice(0, options.maxFiles);
    s.files = s.files.map((f) => ({ ...f, path: localise(rewrite(f.path, options.prefixRewrite), base) }));
    const counts = s.files.map((f) => f.nevts);
    s.nevts = counts.every((n): n is number => n !== undefined) ? counts.reduce((a, b) => a + b, 0) : undefined;
  }
  return { samples, source: src };
}

function isSampleList(json: unknown): json is { samples: unknown } | unknown[] {
  return Array.isArray(json) || (typeof json === "object" && json !== null && "samples" in json);
}

function parseSampleList(json: unknown, src: string | undefined, options: DatasetOptions): Sample[] {
  const list = Array.isArray(json) ? json : (json as { samples: unknown }).samples;
  const root = Array.isArray(json) ? "" : "samples";
  if (!Array.isArray(list)) throw invalid(src, root, "`samples` must be an array of samples");
  return list.map((raw, i) => {
    const at = `${root}[${i}]`;
    if (typeof raw !== "object" || raw === null) throw invalid(src, at, "a sample must be an object");
    const o = raw as Record<string, unknown>;
    if (typeof o.name !== "string" || !o.name) throw invalid(src, `${at}.name`, "a sample needs a non-empty string `name`");
    const treeName = o.treeName ?? o.tree ?? options.defaultTreeName ?? "Events";
    if (typeof treeName !== "string") throw invalid(src, `${at}.treeName`, "`treeName` must be a string");
    if (o.xsec !== undefined && (typeof o.xsec !== "number" || !Number.isFinite(o.xsec))) throw invalid(src, `${at}.xsec`, "`xsec` must be a finite number (pb)");
    if (o.metadata !== undefined && (typeof o.metadata !== "object" || o.metadata === null || Array.isArray(o.metadata))) {
      throw invalid(src, `${at}.metadata`, "`metadata` must be an object");
    }
    return {
      name: o.name,
      treeName,
      files: parseFiles(o.files, `${at}.files`, src),
      xsec: o.xsec as number | undefined,
      metadata: { ...((o.metadata as Record<string, unknown>) ?? {}) },
    };
  });
}

function parseAgcCatalogue(json: unknown, src: string | undefined, options: DatasetOptions): Sample[] {
  if (typeof json !== "object" || json === null) throw invalid(src, "", "expected a list of samples or an AGC catalogue object");
  const out: Sample[] = [];
  for (const [process, variations] of Object.entries(json)) {
    if (typeof variations !== "object" || variations === null || Array.isArray(variations)) {
      throw invalid(src, process, `process "${process}" must map variation names to {files: [...]}`);
    }
    for (const [variation, entry] of Object.entries(variations as Record<string, unknown>)) {
      const at = `${process}.${variation}`;
      if (typeof entry !== "object" || entry === null) throw invalid(src, at, "an entry must be an object with `files`");
      const e = entry as Record<string, unknown>;
      const meta: Record<string, unknown> = { process, variation };
      if (e.nevts_total !== undefined) meta.nevts_total = e.nevts_total;
      if (typeof e.xsec === "number") meta.xsec = e.xsec;
      out.push({
        name: `${process}__${variation}`,
        treeName: typeof e.treeName === "string" ? e.treeName : (options.defaultTreeName ?? "Events"),
        files: parseFiles(e.files, `${at}.files`, src),
        xsec: typeof e.xsec === "number" ? e.xsec : undefined,
        metadata: meta,
      });
    }
  }
  if (out.length === 0) throw invalid(src, "", "the dataset has no samples");
  return out;
}

function parseFiles(raw: unknown, at: string, src: string | undefined): DatasetFile[] {
  if (!Array.isArray(raw) || raw.length === 0) throw invalid(src, at, "`files` must be a non-empty array");
  return raw.map((f, j) => {
    if (typeof f === "string") return { path: f };
    if (typeof f !== "object" || f === null) throw invalid(src, `${at}[${j}]`, "a file is a path string or {path, nevts}");
    const o = f as Record<string, unknown>;
    if (typeof o.path !== "string" || !o.path) throw invalid(src, `${at}[${j}].path`, "a file needs a non-empty string `path`");
    if (o.nevts !== undefined && !(Number.isInteger(o.nevts) && (o.nevts as number) >= 0)) {
      throw invalid(src, `${at}[${j}].nevts`, "`nevts` must be a non-negative integer");
    }
    return { path: o.path, nevts: o.nevts as number | undefined };
  });
}

function rewrite(path: string, map: Record<string, string> | undefined): string {
  if (!map) return path;
  for (const [from, to] of Object.entries(map)) if (path.startsWith(from)) return to + path.slice(from.length);
  return path;
}

function localise(path: string, base: string | undefined): string {
  if (!base || isAbsolute(path) || /^[a-z][a-z0-9+.-]*:/i.test(path)) return path;
  return resolve(base, path);
}
