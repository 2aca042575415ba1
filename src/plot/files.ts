import { readFile } from "#util/fs";
import { openFile, type RootHistogram } from "../root/index.js";
import { HepflowError } from "../util/index.js";
import { Hist, type HistJSON } from "../hist/index.js";
import { hist1dFromAgc, hist1dFromHist, hist1dFromRoot, hist2dFromHist, hist2dFromRoot, type AgcHistogramJSON } from "./adapters.js";
import type { Hist1D, Hist2D } from "./types.js";

/**
 * A file of named histograms: AGC-style JSON ({name: {contents, edges}}), hepflow's histogram JSON (one
 * `Hist.toJSON()` object, or an object of them by name), or a ROOT file of TH1s and TH2s.
 */
export interface HistogramFile {
  /** The 1D histogram stored under `name` (a JSON key or a ROOT key path). */
  get(name: string, label?: string): Promise<Hist1D>;
  /** The 2D histogram stored under `name`. */
  get2D(name: string, label?: string): Promise<Hist2D>;
  /** Number of axes of the histogram stored under `name`. */
  dimension(name: string): Promise<number>;
  /** Axis title stored with the histogram, when the format has one (`axis` 0 = x, 1 = y). */
  axisTitle(name: string, axis?: 0 | 1): Promise<string | undefined>;
  names(): Promise<string[]>;
  close(): Promise<void>;
}

/** Opens a histogram file by extension: .json (AGC layout) or .root. */
export async function openHistogramFile(path: string): Promise<HistogramFile> {
  if (path.toLowerCase().endsWith(".json")) return openJson(path);
  if (path.toLowerCase().endsWith(".root")) return openRoot(path);
  throw new HepflowError("PLOT_FORMAT", `cannot read histograms from ${path}: use an AGC-style .json or a .root file`, { file: path });
}

const isHistJson = (x: unknown): x is HistJSON => typeof x === "object" && x !== null && (x as { type?: unknown }).type === "hepflow.Hist";

async function openJson(path: string): Promise<HistogramFile> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, "utf8"));
  } catch (e) {
    throw new HepflowError("PLOT_BAD_INPUT", `${path} is not readable JSON: ${(e as Error).message}`, { file: path }, { cause: e });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new HepflowError("PLOT_BAD_INPUT", "expected an object of histograms by name, or one hepflow histogram", { file: path });
  // a single Hist.toJSON() is one histogram under its own name (or "histogram" when it has none)
  const doc: Record<string, unknown> = isHistJson(parsed) ? { [parsed.name || "histogram"]: parsed } : (parsed as Record<string, unknown>);
  const missing = (name: string) => new HepflowError("PLOT_MISSING_HIST", `no such histogram; the file has e.g. ${Object.keys(doc).slice(0, 5).join(", ")}`, { file: path, object: name });
  const entry = (name: string): unknown => {
    if (!Object.hasOwn(doc, name)) throw missing(name);
    return doc[name];
  };
  const hist = (name: string): Hist | undefined => {
    const e = entry(name);
    if (!isHistJson(e)) return undefined;
    try {
      return Hist.fromJSON(e);
    } catch (err) {
      throw new HepflowError("PLOT_BAD_INPUT", `'${name}' is not a valid hepflow histogram: ${(err as Error).message}`, { file: path, object: name }, { cause: err });
    }
  };
  return {
    async get(name, label) {
      const h = hist(name);
      return h ? hist1dFromHist(h, label ?? name) : hist1dFromAgc(entry(name) as AgcHistogramJSON, label ?? name, name);
    },
    async get2D(name, label) {
      const h = hist(name);
      if (!h) throw new HepflowError("PLOT_DIMENSION", `'${name}' is a 1D histogram (AGC layout); a 2D plot needs a 2D hepflow histogram or a ROOT TH2`, { file: path, object: name });
      return hist2dFromHist(h, label ?? name);
    },
    async dimension(name) {
      return hist(name)?.rank ?? 1;
    },
    async axisTitle(name, axis = 0) {
      const a = hist(name)?.axes[axis];
      return a ? a.label || a.name || undefined : undefined;
    },
    async names() {
      return Object.keys(doc);
    },
    async close() {},
  };
}

async function openRoot(path: string): Promise<HistogramFile> {
  const file = await openFile(path);
  const read = async (name: string): Promise<RootHistogram> => {
    const obj = await file.get(name);
    if (typeof obj !== "object" || obj === null || !("contents" in obj) || !("xaxis" in obj)) {
      throw new HepflowError("PLOT_NOT_HIST", `not a histogram`, { file: path, object: name });
    }
    return obj as RootHistogram;
  };
  return {
    async get(name, label) {
      return hist1dFromRoot(await read(name), label ?? name);
    },
    async get2D(name, label) {
      return hist2dFromRoot(await read(name), label ?? name);
    },
    async dimension(name) {
      return (await read(name)).dimension;
    },
    async axisTitle(name, axis = 0) {
      const h = await read(name);
      return (axis === 0 ? h.xaxis.title : h.yaxis?.title) || undefined;
    },
    async names() {
      return (await file.keys()).map((k) => k.path);
    },
    async close() {
      await file.close();
    },
  };
}

/** Fills a key template such as "{region}_{sample}" or "{region}/{sample}_{variation}". */
export function fillTemplate(template: string, fields: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_match, k: string) => {
    const value = Object.hasOwn(fields, k) ? fields[k] : undefined;
    if (value === undefined)
      throw new HepflowError(
        "PLOT_BAD_TEMPLATE",
        `key template '${template}' uses {${k}}, which this command does not provide (has ${Object.keys(fields)
          .map((f) => `{${f}}`)
          .join(", ")})`,
      );
    return value;
  });
}
