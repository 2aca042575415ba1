import { readFile } from "#util/fs";
import { openFile, type RootHistogram } from "../root/index.js";
import { HepflowError } from "../util/index.js";
import { hist1dFromAgc, hist1dFromRoot, type AgcHistogramJSON } from "./adapters.js";
import type { Hist1D } from "./types.js";

/** A file of named 1D histograms: AGC-style JSON ({name: {contents, edges}}) or a ROOT file of TH1s. */
export interface HistogramFile {
  /** The histogram stored under `name` (a JSON key or a ROOT key path). */
  get(name: string, label?: string): Promise<Hist1D>;
  /** Axis title stored with the histogram, when the format has one. */
  axisTitle(name: string): Promise<string | undefined>;
  names(): Promise<string[]>;
  close(): Promise<void>;
}

/** Opens a histogram file by extension: .json (AGC layout) or .root. */
export async function openHistogramFile(path: string): Promise<HistogramFile> {
  if (path.toLowerCase().endsWith(".json")) return openJson(path);
  if (path.toLowerCase().endsWith(".root")) return openRoot(path);
  throw new HepflowError("PLOT_FORMAT", `cannot read histograms from ${path}: use an AGC-style .json or a .root file`, { file: path });
}

async function openJson(path: string): Promise<HistogramFile> {
  let doc: Record<string, AgcHistogramJSON>;
  try {
    doc = JSON.parse(await readFile(path, "utf8")) as Record<string, AgcHistogramJSON>;
  } catch (e) {
    throw new HepflowError("PLOT_BAD_INPUT", `${path} is not readable JSON: ${(e as Error).message}`, { file: path }, { cause: e });
  }
  const missing = (name: string) => new HepflowError("PLOT_MISSING_HIST", `no such histogram; the file has e.g. ${Object.keys(doc).slice(0, 5).join(", ")}`, { file: path, object: name });
  return {
    async get(name, label) {
      if (!(name in doc)) throw missing(name);
      return hist1dFromAgc(doc[name]!, label ?? name, name);
    },
    async axisTitle() {
      return undefined;
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
    async axisTitle(name) {
      return (await read(name)).xaxis.title || undefined;
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
  return template.replace(/\{(\w+)\}/g, (m, k: string) => {
    if (!(k in fields)) throw new HepflowError("PLOT_BAD_TEMPLATE", `key template '${template}' uses {${k}}, which this command does not provide (has ${Object.keys(fields).map((f) => `{${f}}`).join(", ")})`);
    return fields[k]!;
  });
}
