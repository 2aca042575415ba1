/**
 * The processor contract: a user module exporting `process(events, meta)` that returns a
 * plain-data accumulator for one chunk, optionally `columns` (read up front and prefetched)
 * and `finalize(result, context)` (writes outputs after the merge, called by `hepflow run`).
 */
import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { HepflowError } from "../util/index.js";
import type { TreeLike } from "../root/index.js";
import type { Accumulator } from "./accumulate.js";
import type { EventChunk, CollectionView } from "./eventchunk.js";
import type { Dataset, Sample } from "./dataset.js";
import type { RunResult } from "./executor.js";
import { checkParameterSpecs } from "./params.js";
import type { ParameterSpecs } from "./params.js";

/** What `process` receives besides the events: the sample's metadata plus where the chunk comes from. */
export interface ChunkMeta {
  [key: string]: unknown;
  sample: string;
  treeName: string;
  file: string;
  fileIndex: number;
  entryStart: number;
  entryStop: number;
  /** Sum of `nevts` over the sample's processed files (normalisation), when known. */
  nevts?: number;
  xsec?: number;
  /** The run's processor parameters (declared by `export const parameters`), validated and with defaults filled in. */
  params: Readonly<Record<string, unknown>>;
}

/** Handed to `finalize` after all chunks are merged. */
export interface FinalizeContext {
  outDir: string;
  dataset: Dataset;
  result: RunResult;
  /** Where to print human-readable summaries (the CLI passes stdout). */
  print: (text: string) => void;
}

export interface ProcessorModule {
  process(events: EventChunk & Record<string, CollectionView>, meta: ChunkMeta): Accumulator | Promise<Accumulator>;
  columns?: readonly string[];
  /** False for samples the processor does not handle (they are not read at all), e.g. AGC skips real data. */
  acceptSample?(sample: Sample, params?: Readonly<Record<string, unknown>>): boolean;
  /**
   * True for samples whose weights are proportional to 1 / meta.nevts (simulation normalised to
   * cross section × luminosity): when some of their events are lost (--continue-on-failure),
   * their histograms are rescaled by nevts / effective nevts. Default: samples with an `xsec`.
   */
  normalisedByNevts?(sample: Sample): boolean;
  finalize?(accumulator: Accumulator | undefined, context: FinalizeContext): void | Promise<void>;
  /** Declared parameters (see params.ts); the validated values reach `process` as `meta.params` and `finalize` as `context.result.params`. */
  parameters?: ParameterSpecs;
}

/** Opens the tree of one file; the default reads ROOT files with root/. */
export type TreeOpener = (path: string, treeName: string) => Promise<TreeLike>;

/** Resolve a processor path: a module file, or a folder with index.mjs / index.js. */
export function resolveProcessorPath(path: string): string {
  const p = resolve(path);
  if (!existsSync(p)) throw new HepflowError("PROCESSOR_NOT_FOUND", "no such processor module or folder", { file: path });
  if (statSync(p).isDirectory()) {
    for (const n of ["index.mjs", "index.js", "processor.mjs", "processor.js"]) if (existsSync(join(p, n))) return join(p, n);
    throw new HepflowError("PROCESSOR_NOT_FOUND", "the folder has no index.mjs or index.js", { file: path });
  }
  return p;
}

/** Import a processor module and check its exports. */
export async function loadProcessor(path: string): Promise<ProcessorModule> {
  const file = resolveProcessorPath(path);
  let mod: Partial<ProcessorModule>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Partial<ProcessorModule>;
  } catch (e) {
    throw new HepflowError("PROCESSOR_LOAD", `cannot import the processor module (${(e as Error).message})`, { file }, { cause: e });
  }
  if (typeof mod.process !== "function") throw new HepflowError("PROCESSOR_INVALID", "the module does not export a `process(events, meta)` function", { file });
  if (mod.columns !== undefined && !Array.isArray(mod.columns)) throw new HepflowError("PROCESSOR_INVALID", "`columns` must be an array of branch names", { file });
  checkParameterSpecs(mod.parameters, file);
  return mod as ProcessorModule;
}

/** Files behind trees opened by the default opener, so they can be closed when no longer used. */
const openFiles = new WeakMap<TreeLike, { close(): Promise<void> }>();

/** Close the file behind a tree from the default opener (custom openers manage their own). */
export async function closeTree(tree: TreeLike): Promise<void> {
  const f = openFiles.get(tree);
  openFiles.delete(tree);
  await f?.close();
}

/** Import a tree-opener module (exports `openTree(path, treeName)`), or the ROOT default. */
export async function loadOpener(path?: string): Promise<TreeOpener> {
  if (!path) {
    const { openFile } = await import("../root/read.js");
    return async (p, treeName) => {
      const file = await openFile(p);
      try {
        const tree = await file.tree(treeName);
        openFiles.set(tree, file);
        return tree;
      } catch (e) {
        await file.close();
        throw e;
      }
    };
  }
  const mod = (await import(pathToFileURL(resolve(path)).href)) as { openTree?: TreeOpener };
  if (typeof mod.openTree !== "function") throw new HepflowError("PROCESSOR_INVALID", "the opener module does not export `openTree(path, treeName)`", { file: path });
  return mod.openTree;
}
