/**
 * Chunk planning: cut every file into entry ranges on cluster boundaries (so no basket is
 * decompressed by two chunks) of about `chunkSize` entries. The plan depends only on the files
 * and chunkSize, never on the number of workers, which is what makes merging reproducible.
 */
import { HepflowError } from "../util/index.js";
import type { Dataset } from "./dataset.js";
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

/** Open each file's tree (metadata only) and list the work items in the fixed merge order. */
export async function planChunks(dataset: Dataset, opener: TreeOpener, chunkSize: number): Promise<{ items: WorkItem[]; failures: PlanFailure[] }> {
  if (!(chunkSize >= 1)) throw new HepflowError("EXECUTOR_OPTIONS", `chunk size must be ≥ 1 (got ${chunkSize})`);
  const items: WorkItem[] = [];
  const failures: PlanFailure[] = [];
  for (const s of dataset.samples) {
    const meta: Record<string, unknown> = { ...s.metadata };
    if (s.xsec !== undefined) meta.xsec = s.xsec;
    // normalisation needs the events of all processed files; files without `nevts` count their tree's entries
    let nevts = 0;
    for (let f = 0; f < s.files.length; f++) {
      const file = s.files[f]!.path;
      let boundaries: number[];
      try {
        const tree = await opener(file, s.treeName);
        boundaries = tree.clusterBoundaries();
        nevts += s.files[f]!.nevts ?? tree.numEntries;
        await closeTree(tree); // planning needs metadata only; workers reopen the file
      } catch (e) {
        const err = e as { code?: string; message?: string };
        failures.push({ sample: s.name, file, fileIndex: f, error: { code: err.code ?? "OPEN_FAILED", message: err.message ?? String(e) } });
        continue;
      }
      for (const [a, b] of groupClusters(boundaries, chunkSize)) {
        items.push({ index: items.length, sample: s.name, fileIndex: f, file, treeName: s.treeName, entryStart: a, entryStop: b, meta });
      }
    }
    meta.nevts = s.nevts ?? nevts;
  }
  return { items, failures };
}
