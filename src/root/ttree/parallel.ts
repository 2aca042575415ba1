/**
 * Baskets decompressed on a pool of worker threads, so one arrays()/iterate() over one big file uses
 * every core (CMS writes NanoAOD with LZMA, which decompresses at tens of MB/s a core). The reading
 * thread still reads, parses headers and interprets the baskets, in file order, so results are the
 * serial read's byte for byte; only the decompression moves. Small reads stay serial: a thread
 * costs more to start than a few megabytes take to inflate. Worker threads of an executor, which
 * already fill the cores with chunks, read serially unless told otherwise.
 */
import { compiledModule } from "../../util/index.js";
import { decompressionTotals } from "../compression.js";

/** One compressed object for a pool thread. */
export interface InflateTask {
  id: number;
  body: ArrayBuffer;
  objLen: number;
}
/** Its answer: the decompressed bytes (and what the thread counted), or that it failed. */
export interface InflateReply {
  id: number;
  out?: ArrayBuffer;
  counted?: [number, number, number];
  failed?: boolean;
}

interface PoolWorker {
  post(t: InflateTask): void;
  pending: number;
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

  /** The decompressed object, or null when the thread failed (the caller then decompresses it itself). */
  inflate(body: Uint8Array, objLen: number): Promise<InflateReply> {
    const id = this.next++;
    // a copy of just this object's bytes, transferred: the read window stays here
    const copy = body.slice();
    let w = this.workers[0]!;
    for (const x of this.workers) if (x.pending < w.pending) w = x;
    // a thread with work keeps the process alive (a script awaiting its read must not exit), an idle one does not
    if (w.pending++ === 0) w.ref();
    return new Promise<InflateReply>((resolve) => {
      this.waiting.set(id, {
        resolve: (r) => {
          if (--w.pending === 0) w.unref();
          resolve(r);
        },
      });
      w.post({ id, body: copy.buffer, objLen });
    });
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

/** The thread count a read gets: the setting, else the machine's cores on the main thread (none on one core or in a worker). */
async function threadCount(): Promise<number> {
  if (settings.workers !== undefined) return settings.workers;
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
      w.on("message", (r: InflateReply) => p.settle(r));
      w.on("error", () => p.failAll());
      workers.push({ post: (t) => w.postMessage(t, [t.body]), pending: 0, ref: () => w.ref(), unref: () => w.unref() });
    }
    return p;
  } catch {
    return null; // no worker threads here (a browser): serial
  }
}

/** The pool for a read of `bytes` compressed bytes, or null to decompress on this thread. */
export async function poolFor(bytes: number): Promise<{ inflate(body: Uint8Array, objLen: number): Promise<InflateReply> } | null> {
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
