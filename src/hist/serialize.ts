/**
 * JSON form of a histogram: axes, storage kind and every storage array with flow bins, first
 * axis fastest. Non-finite numbers (possible in mean storage) are written as the strings
 * "nan", "inf", "-inf" because JSON has no literal for them. Float64 values round-trip exactly.
 */
import { HepflowError } from "../util/index.js";
import { axisFromJSON } from "./axis.js";
import type { AxisJSON } from "./axis.js";
import { Hist } from "./hist.js";
import { checkStorageKind, STORAGE_FIELDS } from "./storage.js";

export interface HistJSON {
  type: "hepflow.Hist";
  version: 1;
  name: string;
  label: string;
  storage: string;
  axes: AxisJSON[];
  /** One array per storage field (see STORAGE_FIELDS), flow bins included. */
  data: Record<string, (number | string)[]>;
}

function enc(x: number): number | string {
  return Number.isFinite(x) ? x : x !== x ? "nan" : x > 0 ? "inf" : "-inf";
}

function dec(x: number | string, where: string): number {
  if (typeof x === "number") return x;
  if (x === "nan") return NaN;
  if (x === "inf") return Infinity;
  if (x === "-inf") return -Infinity;
  throw new HepflowError("HIST_JSON", `${where}: "${x}" is not a number`);
}

/** Serialize a histogram to plain JSON data. */
export function histToJSON(h: Hist): HistJSON {
  const data: Record<string, (number | string)[]> = {};
  STORAGE_FIELDS[h.storage].forEach((f, i) => {
    data[f] = Array.from(h.data[i]!, enc);
  });
  return { type: "hepflow.Hist", version: 1, name: h.name, label: h.label, storage: h.storage, axes: h.axes.map((a) => a.toJSON()), data };
}

/** Rebuild a histogram from histToJSON output, checking array sizes. */
export function histFromJSON(j: HistJSON): Hist {
  if (j?.type !== "hepflow.Hist") throw new HepflowError("HIST_JSON", `not a hepflow histogram (type ${JSON.stringify(j?.type)})`);
  if (j.version !== 1) throw new HepflowError("HIST_JSON", `histogram JSON version ${j.version} is not supported; this hepflow reads version 1`);
  const storage = checkStorageKind(j.storage);
  const h = new Hist(j.axes.map(axisFromJSON), { storage, name: j.name, label: j.label });
  STORAGE_FIELDS[storage].forEach((f, i) => {
    const arr = j.data[f];
    if (!Array.isArray(arr) || arr.length !== h.totalBins) throw new HepflowError("HIST_JSON", `data.${f} must hold ${h.totalBins} numbers (bins with flow), got ${Array.isArray(arr) ? arr.length : typeof arr}`, { object: j.name });
    const out = h.data[i]!;
    for (const [b, x] of arr.entries()) out[b] = dec(x, `data.${f}[${b}]`);
  });
  return h;
}

/**
 * A histogram as plain mergeable data for worker-thread accumulators (analysis/accumulate.ts):
 * the binning as ONE JSON string (merging requires strings to agree, so histograms of one name
 * must be declared with the same axes and categories — use non-growing category axes) and the
 * storage arrays as Float64Array (merged by element-wise addition). Mean storage is refused:
 * its means do not combine by addition.
 */
export interface HistAccumulator {
  hepflowHist: string;
  [field: string]: string | Float64Array;
}

/** Plain, structured-clone-safe, additively mergeable form of a histogram. */
export function toAccumulator(h: Hist): HistAccumulator {
  if (h.storage === "mean") throw new HepflowError("HIST_STORAGE", "mean storage cannot be merged by addition; use Hist.add on the worker results instead", { object: h.name || undefined });
  const out: HistAccumulator = { hepflowHist: JSON.stringify({ name: h.name, label: h.label, storage: h.storage, axes: h.axes.map((a) => a.toJSON()) }) };
  STORAGE_FIELDS[h.storage].forEach((f, i) => {
    out[f] = h.data[i]!.slice();
  });
  return out;
}

/** Rebuild a histogram from toAccumulator output (after merging). */
export function fromAccumulator(acc: HistAccumulator): Hist {
  if (!acc || typeof acc.hepflowHist !== "string") throw new HepflowError("HIST_JSON", "not a histogram accumulator (no hepflowHist field)");
  const meta = JSON.parse(acc.hepflowHist) as { name: string; label: string; storage: string; axes: AxisJSON[] };
  const storage = checkStorageKind(meta.storage);
  const h = new Hist(meta.axes.map(axisFromJSON), { storage, name: meta.name, label: meta.label });
  STORAGE_FIELDS[storage].forEach((f, i) => {
    const arr = acc[f];
    if (!(arr instanceof Float64Array) || arr.length !== h.totalBins) throw new HepflowError("HIST_JSON", `accumulator field ${f} must be a Float64Array of ${h.totalBins} bins`, { object: meta.name });
    h.data[i]!.set(arr);
  });
  return h;
}

/** True for the output of toAccumulator (after any number of merges). */
export function isHistAccumulator(x: unknown): x is HistAccumulator {
  return typeof x === "object" && x !== null && typeof (x as { hepflowHist?: unknown }).hepflowHist === "string";
}

/**
 * A histogram accumulator as if every weight had been multiplied by `factor`: sums of weights
 * scale by it, sums of squared weights by its square. Int storage (unweighted counts) and mean
 * storage are refused rather than silently made wrong. Returns a new object.
 */
export function scaleHistAccumulator(acc: HistAccumulator, factor: number): HistAccumulator {
  const { storage } = JSON.parse(acc.hepflowHist) as { storage: string };
  const kind = checkStorageKind(storage);
  if (kind === "int" || kind === "mean") throw new HepflowError("HIST_STORAGE", `${kind} storage cannot be rescaled by a weight factor; use double or weight storage`, { object: acc.hepflowHist.slice(0, 80) });
  const out: HistAccumulator = { hepflowHist: acc.hepflowHist };
  for (const f of STORAGE_FIELDS[kind]) {
    const a = acc[f];
    if (!(a instanceof Float64Array)) throw new HepflowError("HIST_JSON", `accumulator field ${f} must be a Float64Array`);
    const k = f === "sumw2" ? factor * factor : factor;
    out[f] = a.map((v) => v * k);
  }
  return out;
}
