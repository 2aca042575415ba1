/**
 * Runs one chunk: open the file (cached), read the declared columns, call `process`. Shared by
 * the in-thread path and the worker threads so both compute exactly the same thing. `prepare`
 * starts reading before the previous chunk's compute ends (readahead).
 */
import { HepflowError, isHepflowError } from "../util/index.js";
import type { TreeLike } from "../root/index.js";
import type { Accumulator } from "./accumulate.js";
import { writeSnapshotPart } from "./snapshot.js";
import { EventChunk, withRecordViews } from "./eventchunk.js";
import { closeTree } from "./processor.js";
import type { ChunkMeta, ProcessorModule, TreeOpener } from "./processor.js";

/** One unit of work: an entry range of one file of one sample. */
export interface WorkItem {
  /** Position in the fixed merge order. */
  index: number;
  sample: string;
  fileIndex: number;
  file: string;
  treeName: string;
  entryStart: number;
  entryStop: number;
  /** Sample metadata (process, variation, xsec, nevts...) passed to `process`. */
  meta: Record<string, unknown>;
}

export interface ChunkOutput {
  index: number;
  accumulator: Accumulator;
  events: number;
  readMs: number;
  computeMs: number;
}

/** A serialisable error (crosses the worker boundary and the queue); `stack` is the processor's, kept for failures.json. */
export interface ErrorInfo {
  code: string;
  message: string;
  stack?: string;
}

/** Plain-data form of an error, keeping its stack trace (where the processor failed). */
export function errorInfo(e: unknown): ErrorInfo {
  const stack = e instanceof Error && typeof e.stack === "string" ? e.stack : undefined;
  if (isHepflowError(e)) return { code: e.code, message: e.message, ...(stack ? { stack } : {}) };
  return { code: "PROCESSOR_ERROR", message: e instanceof Error ? `${e.name}: ${e.message}` : String(e), ...(stack ? { stack } : {}) };
}

/**
 * Refuse an accumulator that is not plain data (functions, class instances, symbols, bigints):
 * in every mode, so a result that could not cross a thread or a queue fails the same way
 * whether or not it has to.
 */
export function checkAccumulator(x: unknown, at = "accumulator", file?: string): void {
  if (x === null || typeof x === "number" || typeof x === "string" || typeof x === "boolean") return;
  if (ArrayBuffer.isView(x) && !(x instanceof DataView) && !(x instanceof BigInt64Array) && !(x instanceof BigUint64Array)) return;
  if (Array.isArray(x)) {
    x.forEach((v, i) => checkAccumulator(v, `${at}[${i}]`, file));
    return;
  }
  if (typeof x === "object") {
    const proto = Object.getPrototypeOf(x);
    if (proto === Object.prototype || proto === null) {
      for (const [k, v] of Object.entries(x as Record<string, unknown>)) checkAccumulator(v, `${at}.${k}`, file);
      return;
    }
  }
  const what = typeof x === "object" ? `an instance of ${(x as object).constructor?.name ?? "a class"}` : `a ${typeof x}`;
  throw new HepflowError("ACCUMULATOR_INVALID", `${at} is ${what}; an accumulator holds only numbers, strings, booleans, null, typed arrays, arrays and plain objects`, { file, object: at });
}

interface Prepared {
  chunk: EventChunk;
  ready: Promise<void>;
  tree: TreeLike;
}

export class ChunkRunner {
  private readonly trees = new Map<string, Promise<TreeLike>>();
  /** Chunks prepared but not finished, per open tree. */
  private readonly users = new Map<TreeLike, number>();
  private readonly evicted = new Set<TreeLike>();

  constructor(
    private readonly processor: ProcessorModule,
    private readonly opener: TreeOpener,
    /** Validated processor parameters, handed to `process` as `meta.params`. */
    private readonly params: Readonly<Record<string, unknown>> = {},
    /** Where the chunks' snapshot parts are written (the run's executor option). */
    private readonly snapshotDir?: string,
    /** Files kept open per thread; chunks of one file run back to back, so a few suffice. */
    private readonly maxOpen = 4,
  ) {}

  /** Open the tree and start reading the declared columns; errors surface in `run`. */
  prepare(item: WorkItem): Promise<Prepared> {
    return this.tree(item.file, item.treeName).then((tree) => {
      const names = tree.branches.map((b) => b.name);
      const reader = (cols: string[]) => tree.arrays(cols, { entryStart: item.entryStart, entryStop: item.entryStop });
      const chunk = new EventChunk(item.entryStart, item.entryStop, names, reader, item.file);
      const ready = chunk.load(...(this.processor.columns ?? []));
      ready.catch(() => undefined); // observed in run(); avoid an unhandled rejection meanwhile
      return { chunk, ready, tree };
    });
  }

  /** Process a prepared chunk (or prepare it now). */
  async run(item: WorkItem, prepared?: Promise<Prepared>): Promise<ChunkOutput> {
    const p = await (prepared ?? this.prepare(item));
    try {
      return await this.compute(item, p);
    } finally {
      this.release(p.tree);
    }
  }

  private async compute(item: WorkItem, p: Prepared): Promise<ChunkOutput> {
    await p.ready;
    const readBefore = p.chunk.readMs;
    const t0 = performance.now();
    const meta: ChunkMeta = { ...item.meta, sample: item.sample, treeName: item.treeName, file: item.file, fileIndex: item.fileIndex, entryStart: item.entryStart, entryStop: item.entryStop, params: this.params };
    const returned = await this.processor.process(withRecordViews(p.chunk), meta);
    if (returned === undefined) throw new HepflowError("PROCESSOR_INVALID", "process() returned nothing; return an accumulator (object, number, array)", { file: item.file });
    checkAccumulator(returned, "accumulator", item.file);
    // Snapshot events are written here, per chunk; the accumulator carries only the part record.
    const accumulator = await writeSnapshotPart(returned, item, this.snapshotDir);
    const lazyRead = p.chunk.readMs - readBefore;
    return { index: item.index, accumulator, events: item.entryStop - item.entryStart, readMs: p.chunk.readMs, computeMs: performance.now() - t0 - lazyRead };
  }

  private tree(path: string, treeName: string): Promise<TreeLike> {
    const key = `${treeName}\u0000${path}`;
    let t = this.trees.get(key);
    if (!t) {
      t = this.opener(path, treeName);
      t.catch(() => this.trees.delete(key)); // a failed open is retried, not cached
      this.trees.set(key, t);
      if (this.trees.size > this.maxOpen) {
        const [oldKey, old] = this.trees.entries().next().value!;
        this.trees.delete(oldKey);
        old.then(
          (tree) => this.release(tree, true),
          () => undefined,
        );
      }
    }
    return t.then((tree) => {
      this.users.set(tree, (this.users.get(tree) ?? 0) + 1);
      return tree;
    });
  }

  /** Close every cached file (end of the run). */
  async close(): Promise<void> {
    const trees = [...this.trees.values()];
    this.trees.clear();
    for (const t of trees) await t.then(closeTree, () => undefined);
  }

  /** One chunk is done with `tree`; close it once evicted and unused. */
  private release(tree: TreeLike, evicted = false): void {
    if (evicted) this.evicted.add(tree);
    else this.users.set(tree, (this.users.get(tree) ?? 1) - 1);
    if (this.evicted.has(tree) && !this.users.get(tree)) {
      this.evicted.delete(tree);
      this.users.delete(tree);
      void closeTree(tree).catch(() => undefined);
    }
  }
}
