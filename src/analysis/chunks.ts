/**
 * Chunk planning: cut every file into entry ranges on cluster boundaries (so no basket is
 * decompressed by two chunks) of about `chunkSize` entries. The plan depends only on the files
 * and chunkSize, never on the number of workers, which is what makes merging reproducible.
 * Planning is streamed sample by sample so workers can start on the first sample while the
 * metadata of the next ones is still being read.
 */
import { HepflowError } from "../util/index.js";
import type { Dataset, Sample } from "./dataset.js";
import { closeTree } from "./processor.js";
import type { TreeOpener } from "./processor.js";
import type { WorkItem } from "./runner.js";

/** Group cluster boundaries [b0=0, b1, ..., numEntries] into ranges of at least `chunkSize` entries (the last may be shorter). */
export function groupClusters(boundaries: readonly number[], chunkSize: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  if (boundaries.length < 2) return out;
  let start = boundaries[0]!;
  for (let i = 1; i < boundaries.length; i++) {
    const b = boundaries[i]!;
    if (b - start >= chunkSize || i === boundaries.length - 1) {
      if (b > start) out.push([start, b]);
      start = b;
    }
  }
  return out;
}

/** Per-file metadata failures found while planning (file could not be opened). */
export interface PlanFailure {
  sample: string;
  file: string;
  fileIndex: number;
  error: { code: string; message: string };
}

/** What planning learnt about one file: its entries and its weight in the normalisation. */
export interface FilePlan {
  file: string;
  /** Tree entries; undefined when the file could not be opened. */
  entries?: number;
  /** Events this file contributes to the sample's `nevts` (catalogue count, else its entries; 0 if unknown). */
  nevts: number;
}

/** The plan of one sample: its work items (consecutive indices), file facts and open failures. */
export interface SamplePlan {
  sample: string;
  /** Normalisation count handed to `process` as `meta.nevts`: catalogue total, else the entries of the files that opened. */
  nevts: number;
  /** True when `nevts` comes from the dataset rather than from counting entries. */
  nevtsFromCatalogue: boolean;
  /** Cross section (pb) when known; samples with one are normalised by it. */
  xsec?: number;
  files: FilePlan[];
  items: WorkItem[];
  failures: PlanFailure[];
}

/** Files whose metadata is read at the same time (I/O overlaps; parsing stays on this thread). */
const OPEN_CONCURRENCY = 4;

/** Plan the samples one after another; item indices continue across samples (the fixed merge order). */
export async function* planSamples(dataset: Dataset, opener: TreeOpener, chunkSize: number): AsyncGenerator<SamplePlan> {
  if (!(chunkSize >= 1)) throw new HepflowError("EXECUTOR_OPTIONS", `chunk size must be ≥ 1 (got ${chunkSize})`);
  let next = 0;
  for (const s of dataset.samples) {
    const plan = await planSample(s, opener, chunkSize, next);
    next += plan.items.length;
    yield plan;
  }
}

async function planSample(s: Sample, opener: TreeOpener, chunkSize: number, firstIndex: number): Promise<SamplePlan> {
  const opened = await mapLimited(s.files, OPEN_CONCURRENCY, async (f) => {
    try {
      const tree = await opener(f.path, s.treeName);
      const boundaries = tree.clusterBoundaries();
      const entries = tree.numEntries;
      await closeTree(tree); // planning needs metadata only; workers reopen the file
      return { boundaries, entries };
    } catch (e) {
      const err = e as { code?: string; message?: string };
      return { error: { code: err.code ?? "OPEN_FAILED", message: err.message ?? String(e) } };
    }
  });
  const meta: Record<string, unknown> = { ...s.metadata };
  if (s.xsec !== undefined) meta.xsec = s.xsec;
  const plan: SamplePlan = { sample: s.name, nevts: 0, nevtsFromCatalogue: s.nevts !== undefined, xsec: s.xsec, files: [], items: [], failures: [] };
  let counted = 0;
  opened.forEach((o, f) => {
    const file = s.files[f]!.path;
    if ("error" in o) {
      plan.failures.push({ sample: s.name, file, fileIndex: f, error: o.error! });
      plan.files.push({ file, nevts: s.files[f]!.nevts ?? 0 });
      return;
    }
    plan.files.push({ file, entries: o.entries, nevts: s.files[f]!.nevts ?? o.entries });
    counted += o.entries;
    for (const [a, b] of groupClusters(o.boundaries, chunkSize)) {
      plan.items.push({ index: firstIndex + plan.items.length, sample: s.name, fileIndex: f, file, treeName: s.treeName, entryStart: a, entryStop: b, meta });
    }
  });
  // normalisation needs the events of all listed files; without a catalogue count, the files that opened
  plan.nevts = s.nevts ?? counted;
  meta.nevts = plan.nevts;
  return plan;
}

/** Map with at most `limit` calls in flight; results keep the input order. */
async function mapLimited<T, R>(xs: readonly T[], limit: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(xs.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < xs.length) {
      const i = next++;
      out[i] = await fn(xs[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, xs.length) }, lane));
  return out;
}

/** Open each file's tree (metadata only) and list the work items in the fixed merge order. */
export async function planChunks(dataset: Dataset, opener: TreeOpener, chunkSize: number): Promise<{ items: WorkItem[]; failures: PlanFailure[]; samples: SamplePlan[] }> {
  const samples: SamplePlan[] = [];
  for await (const p of planSamples(dataset, opener, chunkSize)) samples.push(p);
  return { items: samples.flatMap((p) => p.items), failures: samples.flatMap((p) => p.failures), samples };
}
