/**
 * Baskets decompressed and interpreted on a pool of worker threads, so one arrays()/iterate() over
 * one big file uses every core (CMS writes NanoAOD with LZMA, which decompresses at tens of MB/s a
 * core). For numeric columns a thread also converts the values (byte swap, booleans to 0/1) and
 * writes them straight into the column, which is then shared memory (see `Placement`), so the
 * reading thread only reads, dispatches and keeps the order: results are the serial read's byte
 * for byte. Small reads stay serial: a thread costs more to start than a few
 * megabytes take to inflate. Worker threads of an executor, which already fill the cores with
 * chunks, read serially unless told otherwise.
 */
import { compiledModule } from "../../util/index.js";
import { decompressionTotals } from "../compression.js";

/**
 * Where a thread writes a basket's values itself, converted to the output's little-endian layout:
 * entries [lo, hi) of the basket (counted from its first entry), into shared memory `buf` from byte
 * `at`. Fixed-size entries hold `perEntry` bytes each; a collection's entries hold `values` values
 * in all, found through ROOT's entry offsets. The thread checks the layout as the reading thread's
 * sink would (see sinks.ts) and, when anything differs, writes nothing and returns the bytes
 * instead, so the reading thread takes its serial path (and raises its errors).
 */
export interface Placement {
  buf: SharedArrayBuffer;
  at: number;
  /** Bytes per value (1 with `bool`: values normalised to 0/1). */
  size: 1 | 2 | 4 | 8;
  bool: boolean;
  lo: number;
  hi: number;
  perEntry?: number;
  values?: number;
}

/** One compressed object for a pool thread: its body within `buf` (transferred), and how to convert it. */
export interface InflateTask {
  id: number;
  /** Shared memory (a read window), or a buffer of this batch's bodies transferred with it. */
  buf: ArrayBufferLike;
  at: number;
  len: number;
  objLen: number;
  /** Where the values end (the basket's `last` minus its key length) and how many entries it holds. */
  border: number;
  entries: number;
  keyLen: number;
  place?: Placement;
}
/** Its answer: the decompressed bytes (converted as `converted` says) and what the thread counted, or that it failed. */
export interface InflateReply {
  id: number;
  out?: ArrayBuffer;
  /** The values were written to the task's placement (no bytes come back). */
  placed?: boolean;
  counted?: [number, number, number];
  failed?: boolean;
}

interface PoolWorker {
  post(t: InflateTask[], transfer: ArrayBuffer[]): void;
  pending: number;
  /** Compressed bytes sent and not yet answered. */
  queued: number;
  ref(): void;
  unref(): void;
}

/** Settings: threads (0 or 1: serial) and the compressed bytes a read needs before it uses them. */
const settings: { workers: number | undefined; minBytes: number } = { workers: undefined, minBytes: 8 * 1024 * 1024 };
/** Started pools by thread count (idle ones cost nothing: their threads are unref'd and blocked). */
const pools = new Map<number, Promise<Pool | null>>();
/** Objects decompressed by pool threads in this process (tests check the pool was used). */
export const pooledTotals = { objects: 0 };

/**
 * How many threads decompress baskets for one read (default: the machine's cores on the main thread
 * when it has two or more, none in worker threads), and from how many compressed bytes a read uses them (default 8 MB; a read
 * of at least 512 kB uses an already started pool). `decompressionWorkers(0)` reads serially.
 * Numeric columns above 64 kB read through the pool are views of a SharedArrayBuffer (the threads
 * write them in place): clone them to another thread, do not list their buffer to be transferred.
 */
export function decompressionWorkers(workers?: number, opts: { minBytes?: number } = {}): void {
  if (workers !== undefined && !(Number.isInteger(workers) && workers >= 0)) throw new RangeError(`decompressionWorkers: a whole number ≥ 0, got ${workers}`);
  settings.workers = workers;
  if (opts.minBytes !== undefined) settings.minBytes = opts.minBytes;
}

class Pool {
  private next = 1;
  private waiting = new Map<number, { resolve(r: InflateReply): void }>();
  constructor(private readonly workers: PoolWorker[]) {}

  /**
   * Sends a batch of objects off at once (one message per thread, the threads given about equal
   * compressed bytes); each promise settles with that object's reply, or `failed` when the thread
   * failed (the caller then decompresses it itself). The bodies of a batch are copied into one
   * buffer per thread, which is transferred: the read window stays here.
   */
  inflateMany(items: readonly { body: Uint8Array; objLen: number; border: number; entries: number; keyLen: number; place?: Placement }[]): Promise<InflateReply>[] {
    const out: Promise<InflateReply>[] = new Array(items.length);
    if (items.length === 0) return out;
    // Objects go in order to the least loaded thread, so the first ones (consumed first) start first.
    const load = this.workers.map((w) => w.queued);
    const share: number[][] = this.workers.map(() => []);
    for (let i = 0; i < items.length; i++) {
      let k = 0;
      for (let j = 1; j < load.length; j++) if (load[j]! < load[k]!) k = j;
      load[k]! += items[i]!.body.length + 1;
      share[k]!.push(i);
    }
    share.forEach((idx, k) => {
      if (idx.length === 0) return;
      const w = this.workers[k]!;
      // Bodies in shared memory (the read windows) are read there; the others are copied into one buffer, transferred.
      let bytes = 0;
      for (const i of idx) if (!shared(items[i]!.body)) bytes += items[i]!.body.length;
      const copy = bytes > 0 ? new Uint8Array(bytes) : null;
      const tasks: InflateTask[] = [];
      let at = 0;
      for (const i of idx) {
        const it = items[i]!;
        const len = it.body.length;
        let where: { buf: ArrayBufferLike; at: number };
        if (shared(it.body)) where = { buf: it.body.buffer, at: it.body.byteOffset };
        else {
          copy!.set(it.body, at);
          where = { buf: copy!.buffer, at };
          at += len;
        }
        const id = this.next++;
        tasks.push({ id, ...where, len, objLen: it.objLen, border: it.border, entries: it.entries, keyLen: it.keyLen, place: it.place });
        // a thread with work keeps the process alive (a script awaiting its read must not exit), an idle one does not
        if (w.pending++ === 0) w.ref();
        w.queued += len;
        out[i] = new Promise<InflateReply>((resolve) => {
          this.waiting.set(id, {
            resolve: (r) => {
              w.queued -= len;
              if (--w.pending === 0) w.unref();
              resolve(r);
            },
          });
        });
      }
      w.post(tasks, copy ? [copy.buffer] : []);
    });
    return out;
  }

  settle(r: InflateReply): void {
    const p = this.waiting.get(r.id);
    if (!p) return;
    this.waiting.delete(r.id);
    if (r.counted) {
      pooledTotals.objects += r.counted[0];
      decompressionTotals.objects += r.counted[0];
      decompressionTotals.compressedBytes += r.counted[1];
      decompressionTotals.uncompressedBytes += r.counted[2];
    }
    p.resolve(r);
  }

  /** A crashed thread: its objects are decompressed by the caller. */
  failAll(): void {
    for (const [id, p] of this.waiting) p.resolve({ id, failed: true });
    this.waiting.clear();
  }

  get size(): number {
    return this.workers.length;
  }
}

/** Whether a body lies in shared memory, which a thread reads where it is. */
export function shared(b: Uint8Array): boolean {
  return typeof SharedArrayBuffer === "function" && b.buffer instanceof SharedArrayBuffer;
}

/** The thread count a read gets: the setting, else the machine's cores on the main thread (none on one core or in a worker). */
function threadCount(): Promise<number> | number {
  if (settings.workers !== undefined) return settings.workers;
  // looked up once per thread: two dynamic imports on every read cost ~10 ms of a small run's worker
  return (defaultThreads ??= machineThreads());
}
let defaultThreads: Promise<number> | undefined;

async function machineThreads(): Promise<number> {
  try {
    const [{ isMainThread }, os] = await Promise.all([import("node:worker_threads"), import("node:os")]);
    const n = isMainThread ? os.availableParallelism() : 0;
    return n < 2 ? 0 : n;
  } catch {
    return 0; // no worker threads here (a browser): serial
  }
}

async function start(n: number): Promise<Pool | null> {
  try {
    const { Worker } = await import("node:worker_threads");
    const url = compiledModule(import.meta.url, "./inflate-worker.js");
    const workers: PoolWorker[] = [];
    const p = new Pool(workers);
    for (let i = 0; i < n; i++) {
      const w = new Worker(url);
      w.unref(); // an idle pool never keeps the process alive
      w.on("message", (rs: InflateReply[]) => {
        for (const r of rs) p.settle(r);
      });
      w.on("error", () => p.failAll());
      workers.push({ post: (t, transfer) => w.postMessage(t, transfer), pending: 0, queued: 0, ref: () => w.ref(), unref: () => w.unref() });
    }
    return p;
  } catch {
    return null; // no worker threads here (a browser): serial
  }
}

/** The pool for a read of `bytes` compressed bytes, or null to decompress on this thread. */
export async function poolFor(bytes: number): Promise<Pick<Pool, "inflateMany"> | null> {
  if (settings.workers === 0) return null;
  const n = await threadCount();
  if (n < 1) return null;
  const started = pools.get(n);
  if (bytes < (started ? Math.min(settings.minBytes, 512 * 1024) : settings.minBytes)) return null;
  let pool = started;
  if (!pool) {
    pool = start(n);
    pools.set(n, pool);
  }
  const p = await pool;
  return p && p.size > 0 ? p : null;
}
