/**
 * EventChunk: the events of one entry range, with columns read from the tree only when the
 * processor asks for them. Reading is asynchronous, so a processor either declares its columns
 * (module export `columns`, loaded before `process` and prefetched by the executor) or calls
 * `await events.load(...)`; after that, access is synchronous: `events.column("Jet_pt")` or the
 * record view `events.Jet.pt` (NanoAOD naming: collection `Jet`, field `pt` → branch `Jet_pt`).
 */
import { HepflowError, Jagged } from "../util/index.js";
import type { Column, Columns } from "../util/index.js";
import { zip } from "../array/index.js";
import type { Collection, NumberArray } from "../array/index.js";

/** Reads the named columns for this chunk's entry range. */
export type ColumnReader = (names: string[]) => Promise<Columns>;

/** A record view of one collection: `view.pt` is the column `<collection>_pt`. */
export type CollectionView = Record<string, Column>;

export class EventChunk {
  private readonly cache = new Map<string, Column>();
  /** Milliseconds spent waiting for column reads (read + decompress), for the timing breakdown. */
  readMs = 0;

  constructor(
    /** First entry (inclusive) in the file. */
    readonly entryStart: number,
    /** Last entry (exclusive). */
    readonly entryStop: number,
    /** Branch names the tree has; used to resolve collections and to name missing columns. */
    readonly available: readonly string[],
    private readonly reader: ColumnReader,
    private readonly where: string,
  ) {}

  /** Number of events in the chunk. */
  get length(): number {
    return this.entryStop - this.entryStart;
  }

  /** Read columns not read yet (exact names or `Collection_*` globs), in one request. */
  async load(...names: string[]): Promise<void> {
    const wanted = this.expand(names).filter((n) => !this.cache.has(n));
    if (wanted.length === 0) return;
    const t0 = performance.now();
    const cols = await this.reader(wanted);
    this.readMs += performance.now() - t0;
    for (const n of wanted) {
      const c = cols[n];
      if (c === undefined) throw new HepflowError("COLUMN_MISSING", `the reader returned no column "${n}"`, { file: this.where, object: n });
      this.cache.set(n, c);
    }
  }

  /** A loaded column; throws naming the column if it was not loaded (declare it or `await load`). */
  column(name: string): Column {
    const c = this.cache.get(name);
    if (c !== undefined) return c;
    if (!this.available.includes(name)) {
      throw new HepflowError("COLUMN_MISSING", `no branch "${name}" in the tree; check the name (hepflow inspect lists branches)`, { file: this.where, object: name });
    }
    throw new HepflowError("COLUMN_NOT_LOADED", `column "${name}" was not loaded; add it to the processor's \`columns\` export or call \`await events.load("${name}")\``, { file: this.where, object: name });
  }

  /** True if the tree has this branch. */
  has(name: string): boolean {
    return this.available.includes(name);
  }

  /** Names of the columns read so far (what the processor actually touched). */
  get loaded(): string[] {
    return [...this.cache.keys()];
  }

  /** Record view of a collection: fields are resolved lazily, nothing is copied. */
  collection(name: string): CollectionView {
    const prefix = `${name}_`;
    return new Proxy({} as CollectionView, {
      get: (_t, field) => (typeof field === "string" ? this.column(prefix + field) : undefined),
      has: (_t, field) => typeof field === "string" && this.available.includes(prefix + field),
      ownKeys: () => this.available.filter((b) => b.startsWith(prefix)).map((b) => b.slice(prefix.length)),
      getOwnPropertyDescriptor: (_t, field) => (typeof field === "string" && this.available.includes(prefix + field) ? { enumerable: true, configurable: true, get: () => this.column(prefix + field) } : undefined),
    });
  }

  /**
   * The loaded jagged fields of a collection as an array-layer Collection (shared offsets, no
   * copy), ready for kernels such as combinations, select or combinationSum.
   */
  zip(name: string): Collection {
    const prefix = `${name}_`;
    const fields: Record<string, Jagged<NumberArray>> = {};
    for (const [n, c] of this.cache) if (n.startsWith(prefix) && c instanceof Jagged) fields[n.slice(prefix.length)] = c as Jagged<NumberArray>;
    if (Object.keys(fields).length === 0) {
      throw new HepflowError("COLUMN_NOT_LOADED", `no jagged "${prefix}*" column is loaded; load the fields first (await events.load("${prefix}*"))`, { file: this.where, object: name });
    }
    return zip(fields);
  }

  private expand(names: string[]): string[] {
    const out: string[] = [];
    for (const n of names) {
      if (n.endsWith("*")) {
        const p = n.slice(0, -1);
        const hits = this.available.filter((b) => b.startsWith(p));
        if (hits.length === 0) throw new HepflowError("COLUMN_MISSING", `no branch matches "${n}"`, { file: this.where, object: n });
        out.push(...hits);
      } else {
        if (!this.available.includes(n)) {
          throw new HepflowError("COLUMN_MISSING", `no branch "${n}" in the tree; check the name (hepflow inspect lists branches)`, { file: this.where, object: n });
        }
        out.push(n);
      }
    }
    return [...new Set(out)];
  }
}

/**
 * Wrap a chunk so that `events.Jet` is the record view of collection "Jet" (any property that
 * is not an EventChunk member and names a collection prefix or a branch).
 */
export function withRecordViews(chunk: EventChunk): EventChunk & Record<string, CollectionView> {
  return new Proxy(chunk, {
    get(target, prop, receiver) {
      if (typeof prop !== "string" || prop in target) {
        const v = Reflect.get(target, prop, receiver);
        return typeof v === "function" ? v.bind(target) : v;
      }
      if (target.available.includes(prop)) return target.column(prop);
      if (target.available.some((b) => b.startsWith(`${prop}_`))) return target.collection(prop);
      return undefined;
    },
  }) as EventChunk & Record<string, CollectionView>;
}
