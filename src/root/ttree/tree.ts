import { HepflowError, Jagged, didYouMean, perElementType, type Column, type Columns, type NumericArray } from "../../util/index.js";
import { Cursor } from "../cursor.js";
import type { RootFile } from "../file.js";
import type { BranchInfo, ColumnChunk, EntryRange, IterateOptions, TreeLike } from "../treelike.js";
import { ObjectReader, type RootObject } from "../streamers/index.js";
import { WINDOW, basketsInRange, diskBytes, loadBaskets, prefetch, streamBaskets, type BasketData, type BasketJob } from "./baskets.js";
import { Slab, allocate, decodeInto, storedSize } from "./decode.js";
import type { BasketRef, BranchModel, Interpretation } from "./model.js";
import { readStreamed } from "./streamed.js";
import { Trimmer } from "../trim.js";
import { collectSink, countedSink, drain, fixedBytes, fixedSink, leafSink, type Sink } from "./sinks.js";

// picomatch, loaded with the first glob (most reads name no pattern).
import { globMatcher as picomatch } from "#util/glob";

type Interp<K extends Interpretation["kind"]> = Extract<Interpretation, { kind: K }>;

interface Deferred<T> {
  promise: Promise<T>;
  resolve(v: T): void;
  reject(e: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void, reject!: (e: unknown) => void;
  const promise = new Promise<T>((a, b) => {
    resolve = a;
    reject = b;
  });
  promise.catch(() => undefined); // a column nobody awaits after an earlier error must not go unhandled
  return { promise, resolve, reject };
}

/**
 * Columns read (or being read) in one `arrays` call, so counters are read once and collections
 * share offsets. Outcomes are recorded synchronously; a promise is made only for a column someone
 * waits on before it is finished (the common read needs none).
 */
class ReadContext {
  /** Columns claimed by a pass (reading, finished or failed). */
  readonly claimed = new Set<string>();
  readonly done = new Map<string, Column>();
  readonly failed = new Map<string, unknown>();
  private readonly waiting = new Map<string, Deferred<Column>>();
  readonly offsets = new Map<string, Promise<Int32Array>>();
  /** Offsets of counters finished so far. */
  readonly offsetArrays = new Map<string, Int32Array>();
  /** Objects read whole, once per parent branch: offsets (for vectors) and one array per member path. */
  readonly objects = new Map<string, Promise<{ offsets: Int32Array | null; members: Map<string, NumericArray> }>>();
  /** Where this read's small output arrays are carved from. */
  readonly slab = new Slab();
  /** Raw baskets of a read small enough to fetch in one request for all its passes. */
  prefetched?: Map<BasketRef, Uint8Array>;
  private readonly inRange = new Map<BranchModel, BasketRef[]>();
  constructor(
    readonly start: number,
    readonly stop: number,
  ) {}

  /** The baskets of `b` overlapping this read's range (computed once per branch). */
  refs(b: BranchModel): BasketRef[] {
    let r = this.inRange.get(b);
    if (!r) {
      r = basketsInRange(b, this.start, this.stop);
      this.inRange.set(b, r);
    }
    return r;
  }

  settle(name: string, col: Column | undefined, error?: unknown): void {
    if (col !== undefined) this.done.set(name, col);
    else this.failed.set(name, error);
    const d = this.waiting.get(name);
    if (d) {
      this.waiting.delete(name);
      if (col !== undefined) d.resolve(col);
      else d.reject(error);
    }
  }

  /** The outcome of a claimed column, as a promise. */
  outcome(name: string): Promise<Column> {
    const col = this.done.get(name);
    if (col !== undefined) return Promise.resolve(col);
    if (this.failed.has(name)) return Promise.reject(this.failed.get(name));
    let d = this.waiting.get(name);
    if (!d) {
      d = deferred<Column>();
      this.waiting.set(name, d);
    }
    return d.promise;
  }
}

/** A TTree: branch metadata from the TTree key, columns read basket by basket on demand. */
export class TTree implements TreeLike {
  readonly kind = "TTree" as const;
  readonly branches: readonly BranchInfo[];
  private readonly byName = new Map<string, BranchModel>();

  constructor(
    readonly file: RootFile,
    readonly name: string,
    readonly numEntries: number,
    readonly models: readonly BranchModel[],
    private readonly object: RootObject,
  ) {
    for (const m of models) if (!this.byName.has(m.name)) this.byName.set(m.name, m);
    this.branches = models.map((m) => info(m));
  }

  /** The branch model by name (for tools that need the interpretation or baskets). */
  branch(name: string): BranchModel {
    const m = this.byName.get(name);
    if (!m) throw new HepflowError("ROOT_NOT_FOUND", `no branch "${name}" in tree ${this.name}${didYouMean(name, this.byName.keys())}`, { file: this.file.name, object: this.name });
    return m;
  }

  /** Branch names matched by exact names or globs; omitted means every readable branch. */
  resolve(names?: string | readonly string[]): string[] {
    if (names === undefined) return this.models.filter(readable).map((m) => m.name);
    const list = typeof names === "string" ? [names] : names;
    const out: string[] = [];
    for (const n of list) {
      if (this.byName.has(n)) {
        out.push(n);
        continue;
      }
      const isMatch = picomatch(n, { dot: true });
      const hits = this.models.filter((m) => isMatch(m.name) && readable(m)).map((m) => m.name);
      if (hits.length === 0)
        throw new HepflowError(
          "ROOT_NOT_FOUND",
          `no branch matches "${n}" in tree ${this.name}${didYouMean(
            n,
            this.models.filter(readable).map((m) => m.name),
          )}`,
          { file: this.file.name, object: this.name },
        );
      out.push(...hits);
    }
    return [...new Set(out)];
  }

  async arrays(names?: string | readonly string[], range: EntryRange = {}): Promise<Columns> {
    const { start, stop } = this.range(range);
    const ctx = new ReadContext(start, stop);
    const selected = this.resolve(names);
    await this.readColumns(selected, ctx);
    const out: Columns = {};
    for (const n of selected) out[n] = ctx.done.get(n) ?? (await ctx.outcome(n));
    return out;
  }

  /**
   * Reads columns in two streamed passes over the file: the counters of the collections asked
   * for (their offsets size the collections' outputs), then everything else. Results and errors
   * are recorded in `ctx`; this never rejects.
   */
  private async readColumns(names: readonly string[], ctx: ReadContext): Promise<void> {
    const first: string[] = [],
      rest: string[] = [];
    for (const n of names) {
      const it = this.byName.get(n)?.interp;
      if (it?.kind === "counted" && this.byName.has(it.counter) && !ctx.claimed.has(it.counter)) {
        ctx.claimed.add(it.counter);
        first.push(it.counter);
      }
    }
    for (const n of names)
      if (!ctx.claimed.has(n)) {
        ctx.claimed.add(n);
        rest.push(n);
      }
    const refs: BasketRef[] = [];
    if (first.length > 0 && !ctx.prefetched) for (const n of [...first, ...rest]) refs.push(...ctx.refs(this.byName.get(n)!));
    const bytes = first.length > 0 && !ctx.prefetched ? diskBytes(refs) : 0;
    if (bytes > 0 && bytes <= WINDOW) {
      try {
        ctx.prefetched = await prefetch(this.file, refs);
      } catch {
        // Each basket is read again by the passes below, which report the failure per column.
      }
    }
    await this.stream(first, ctx);
    await this.stream(rest, ctx);
  }

  /** Plans a sink per column, streams all their baskets in one pass over the file, then finishes the columns. */
  private async stream(cols: readonly string[], ctx: ReadContext): Promise<void> {
    const planned: { b: BranchModel; sink: Sink }[] = [];
    const jobs: BasketJob[] = [];
    for (const name of cols) {
      let b: BranchModel | undefined;
      try {
        b = this.branch(name);
        const place = this.place(b);
        const wrap = (e: unknown) => {
          throw asHepflow(e, place);
        };
        if (b.interp.kind === "member") {
          this.readMemberColumn(b, b.interp, ctx).then(
            (col) => ctx.settle(name, col),
            (e: unknown) => ctx.settle(name, undefined, asHepflow(e, place)),
          );
          continue;
        }
        const planning = this.sinkFor(b, ctx);
        const sink = planning instanceof Promise ? await planning : planning;
        planned.push({ b, sink });
        const consume = (bk: BasketData): void => {
          try {
            sink.consume(bk);
          } catch (e) {
            wrap(e);
          }
        };
        const refs = ctx.refs(b);
        // A lone basket may become the column itself (see sinks.ts adopt), so it gets its own buffer.
        const transient = !sink.keeps && refs.length > 1;
        const target = sink.target ? (ref: BasketRef) => sink.target!(ref) : undefined;
        for (const ref of refs) jobs.push({ ref, branch: b, consume, transient, keeps: sink.keeps, target });
      } catch (e) {
        ctx.settle(name, undefined, b ? asHepflow(e, this.place(b)) : e);
      }
    }
    try {
      const reading = streamBaskets(this.file, jobs, ctx.prefetched);
      if (reading) await reading;
    } catch (e) {
      for (const p of planned) ctx.settle(p.b.name, undefined, e);
      return;
    }
    for (const p of planned) {
      try {
        const finishing = p.sink.finish();
        const col = finishing instanceof Promise ? await finishing : finishing;
        ctx.settle(p.b.name, col);
      } catch (e) {
        ctx.settle(p.b.name, undefined, asHepflow(e, this.place(p.b)));
      }
    }
  }

  /**
   * How a column consumes its baskets. Numeric layouts stream into a preallocated output when the
   * branch's recorded size can hold what the range needs (a corrupt count must not allocate
   * unbounded memory); everything else, and a suspicious size, collects the baskets first.
   */
  private sinkFor(b: BranchModel, ctx: ReadContext): Sink | Promise<Sink> {
    const { start, stop } = ctx;
    const it = b.interp;
    const place = this.place(b);
    if (it.kind === "unsupported") {
      throw new HepflowError("ROOT_UNSUPPORTED", `branch cannot be read yet: ${it.reason}`, place);
    }
    if (it.kind === "container") {
      const subs = this.models
        .filter((m) => m.name.startsWith(`${b.name}.`) || m.name.startsWith(b.name.replace(/\.$/, "") + "."))
        .slice(0, 5)
        .map((m) => m.name);
      throw new HepflowError("ROOT_NOT_A_COLUMN", `branch holds no values of its own (${it.children} sub-branches or leaves); read its members instead${subs.length ? `, e.g. ${subs.join(", ")}` : ""}`, place);
    }
    this.checkCoverage(b, start, stop, ctx.refs(b));
    if (it.kind === "fixed" && fixedBytes(it, start, stop) <= holds(b)) return fixedSink(place, it, start, stop, ctx.slab);
    if (it.kind === "leaf" && fixedBytes(it, start, stop) <= holds(b)) return leafSink(place, it, start, stop, ctx.slab);
    if (it.kind === "counted") {
      const plan = (offsets: Int32Array): Sink => {
        const bytes = offsets[offsets.length - 1]! * it.len * storedSize(it.dtype, it.packing);
        if (bytes <= holds(b)) return countedSink(place, it, offsets, start, stop, ctx.slab, (first, lo) => this.valuesBefore(it.counter, first, lo));
        return collectSink((baskets) => this.decodeCollected(b, baskets, ctx));
      };
      const ready = this.offsetsNow(it.counter, ctx);
      return ready ? plan(ready) : this.offsetsFor(it.counter, ctx).then(plan);
    }
    return collectSink((baskets) => this.decodeCollected(b, baskets, ctx));
  }

  /** The counter's offsets if the counter is already read (no waiting), else undefined. */
  private offsetsNow(counter: string, ctx: ReadContext): Int32Array | undefined {
    let o = ctx.offsetArrays.get(counter);
    if (!o) {
      const col = ctx.done.get(counter);
      if (!col) return undefined;
      o = countsToOffsets(col, this.place(this.branch(counter)), ctx.slab);
      ctx.offsetArrays.set(counter, o);
    }
    return o;
  }

  /** Decodes a column from all its baskets at once (the dispatch for layouts read in two passes). */
  private decodeCollected(b: BranchModel, baskets: BasketData[], ctx: ReadContext): Column | Promise<Column> {
    const { start, stop } = ctx;
    const it = b.interp;
    switch (it.kind) {
      case "fixed":
        return this.readFixed(b, it, baskets, start, stop);
      case "counted":
        return this.readCounted(b, it, baskets, ctx);
      case "vector":
        return this.readVector(b, it, baskets, start, stop);
      case "string":
        return this.readStrings(b, it, baskets, start, stop);
      case "leaf":
        return this.readLeaf(b, it, baskets, start, stop);
      case "nested":
        return this.readNested(b, it, baskets, start, stop);
      case "streamed":
        return it.counter ? this.offsetsFor(it.counter, ctx).then((o) => readStreamed(this.place(b), it, baskets, start, stop, o)) : readStreamed(this.place(b), it, baskets, start, stop);
      default:
        throw new HepflowError("ROOT_UNSUPPORTED", `branch layout "${it.kind}" cannot be read from baskets`, this.place(b));
    }
  }

  /**
   * Chunks of about `stepSize` entries (default: one cluster each). Steps are made of whole
   * clusters, and a cluster longer than a step is read once and handed out in slices, so no
   * basket is decompressed by two steps: every branch's baskets end at cluster boundaries.
   */
  async *iterate(names?: string | readonly string[], options: IterateOptions = {}): AsyncIterable<ColumnChunk> {
    const { start, stop } = this.range(options);
    const selected = this.resolve(names);
    const step = options.stepSize;
    if (step !== undefined && !(step > 0)) throw new HepflowError("ROOT_BAD_RANGE", `stepSize must be positive, got ${step}`);
    const bounds = [start, ...this.clusterBoundaries().filter((e) => e > start && e < stop), stop];
    for (let i = 0; i + 1 < bounds.length; ) {
      const a = bounds[i]!;
      let j = i + 1;
      if (step !== undefined) while (j + 1 < bounds.length && bounds[j + 1]! - a <= step) j++;
      const b = bounds[j]!;
      i = j;
      if (b <= a) continue;
      const columns = await this.arrays(selected, { entryStart: a, entryStop: b });
      if (step === undefined || b - a <= step) {
        yield { entryStart: a, entryStop: b, columns };
        continue;
      }
      for (let s = a; s < b; s += step) {
        const e = Math.min(b, s + step),
          trim = new Trimmer(s - a, e - a);
        const slice: Columns = {};
        for (const [name, col] of Object.entries(columns)) slice[name] = trim.column(col);
        yield { entryStart: s, entryStop: e, columns: slice };
      }
    }
  }

  clusterBoundaries(): number[] {
    const n = this.numEntries;
    const out = [0];
    const ends = (this.object.fClusterRangeEnd as number[] | null) ?? [];
    const sizes = (this.object.fClusterSize as number[] | null) ?? [];
    const autoFlush = Number(this.object.fAutoFlush ?? 0);
    let at = 0;
    for (let i = 0; i < ends.length; i++) {
      const size = Number(sizes[i] ?? 0) || autoFlush;
      if (size <= 0 || (Number(ends[i]) - at) / size > 1e6) break;
      while (at + size <= Number(ends[i]) + 1 && at + size < n) {
        at += size;
        out.push(at);
      }
      at = Number(ends[i]) + 1;
      if (at < n && out[out.length - 1] !== at) out.push(at);
    }
    if (autoFlush > 0 && n / autoFlush < 1e6) {
      while (at + autoFlush < n) {
        at += autoFlush;
        out.push(at);
      }
    } else {
      // Clusters by bytes: the basket boundaries of the first branch with data are the natural cut points.
      const first = this.models.find((m) => m.baskets.length > 0);
      for (const b of first?.baskets ?? []) if (b.first > out[out.length - 1]! && b.first < n) out.push(b.first);
    }
    if (n > 0) out.push(n);
    return [...new Set(out)].sort((a, b) => a - b);
  }

  private range(r: EntryRange): { start: number; stop: number } {
    const start = Math.max(0, Math.min(r.entryStart ?? 0, this.numEntries));
    const stop = Math.max(start, Math.min(r.entryStop ?? this.numEntries, this.numEntries));
    if (!Number.isInteger(start) || !Number.isInteger(stop)) {
      throw new HepflowError("ROOT_BAD_RANGE", `entry range [${r.entryStart}, ${r.entryStop}) must be integers`, { file: this.file.name, object: this.name });
    }
    return { start, stop };
  }

  private place(b: BranchModel, offset?: number) {
    return { file: this.file.name, object: `${this.name}/${b.name}`, offset };
  }

  private column(name: string, ctx: ReadContext): Promise<Column> {
    if (!ctx.claimed.has(name)) void this.readColumns([name], ctx);
    return ctx.outcome(name);
  }

  /** Refuses to allocate more than the baskets can fill: a corrupt count must not exhaust memory. */
  private checkAvailable(b: BranchModel, baskets: BasketData[], needed: number): void {
    let have = 0;
    for (const bk of baskets) have += bk.data.length;
    if (needed > have) {
      throw new HepflowError("ROOT_CORRUPT", `the entries asked for need ${needed} bytes but their baskets hold ${have}`, this.place(b));
    }
  }

  /** Baskets must tile [start, stop) without gaps, else entries would silently go missing. */
  private checkCoverage(b: BranchModel, start: number, stop: number, refs = basketsInRange(b, start, stop)): void {
    let at = start;
    for (const r of refs) {
      if (r.first > at) break;
      at = Math.max(at, r.stop);
    }
    if (at < stop) {
      throw new HepflowError("ROOT_CORRUPT", `no basket holds entry ${at} (branch has ${b.baskets.length} baskets, tree ${this.numEntries} entries)`, this.place(b));
    }
  }

  private readFixed(b: BranchModel, it: Interp<"fixed">, baskets: BasketData[], start: number, stop: number): Column | Promise<Column> {
    this.checkAvailable(b, baskets, fixedBytes(it, start, stop));
    return drain(fixedSink(this.place(b), it, start, stop, new Slab()), baskets);
  }

  private async readMemberColumn(b: BranchModel, it: Interp<"member">, ctx: ReadContext): Promise<Column> {
    const objs = await this.objectsOf(this.branch(it.parent), ctx, it);
    const col = objs.members.get(it.path.join("."));
    if (!col) throw new HepflowError("ROOT_NOT_FOUND", `member ${it.path.join(".")} not found`, this.place(b));
    return objs.offsets ? new Jagged(objs.offsets, col) : col;
  }

  /** Reads the whole objects of an unsplit branch through their streamer, then spreads members into columns. */
  private objectsOf(parent: BranchModel, ctx: ReadContext, it?: Interp<"member">) {
    let p = ctx.objects.get(parent.name);
    if (!p) {
      const members = this.models.filter((m) => m.interp.kind === "member" && m.interp.parent === parent.name).map((m) => m.interp as Interp<"member">);
      const spec = it ?? members[0]!;
      p = (async () => {
        const { start, stop } = ctx;
        this.checkCoverage(parent, start, stop);
        const baskets = await loadBaskets(this.file, parent, basketsInRange(parent, start, stop), ctx.prefetched);
        const streamers = await this.file.streamerInfos();
        const rows: unknown[] = [];
        const counts = new Int32Array(stop - start + 1);
        for (const bk of baskets) {
          const lo = Math.max(start, bk.first),
            hi = Math.min(stop, bk.first + bk.n);
          if (hi <= lo) continue;
          if (!bk.offsets) throw new HepflowError("ROOT_UNSUPPORTED", "object branch basket without entry offsets", this.place(parent));
          for (let e = lo; e < hi; e++) {
            const c = new Cursor(bk.data, bk.offsets[e - bk.first]!, this.place(parent));
            const r = new ObjectReader(c, streamers, 0);
            if (spec.vector) {
              const h = r.version();
              const n = c.i32();
              if (n < 0 || n > c.remaining) throw c.error("ROOT_CORRUPT", `entry ${e}: vector of ${n} objects`);
              for (let k = 0; k < n; k++) rows.push(r.read(spec.className));
              if (h.end !== undefined) c.pos = h.end;
              counts[e - start + 1] = n;
            } else {
              rows.push(r.read(spec.className));
              counts[e - start + 1] = 1;
            }
          }
        }
        for (let i = 1; i < counts.length; i++) counts[i]! += counts[i - 1]!;
        const out = new Map<string, NumericArray>();
        for (const m of members) {
          const col = allocate(m.dtype, rows.length);
          const big = col instanceof BigInt64Array || col instanceof BigUint64Array;
          rows.forEach((row, i) => {
            let v: unknown = row;
            for (const key of m.path) v = (v as Record<string, unknown>)?.[key];
            (col as unknown as (number | bigint)[])[i] = big ? BigInt(v as number) : Number(v);
          });
          out.set(m.path.join("."), col);
        }
        return { offsets: spec.vector ? counts : null, members: out };
      })();
      ctx.objects.set(parent.name, p);
    }
    return p;
  }

  private readLeaf(b: BranchModel, it: Interp<"leaf">, baskets: BasketData[], start: number, stop: number): Column | Promise<Column> {
    this.checkAvailable(b, baskets, (stop - start) * it.stride);
    return drain(leafSink(this.place(b), it, start, stop, new Slab()), baskets);
  }

  private offsetsFor(counter: string, ctx: ReadContext): Promise<Int32Array> {
    let p = ctx.offsets.get(counter);
    if (!p && ctx.done.has(counter)) {
      try {
        p = Promise.resolve(this.offsetsNow(counter, ctx)!);
      } catch (e) {
        p = Promise.reject(e);
      }
      ctx.offsets.set(counter, p);
    }
    if (!p) {
      p = this.column(counter, ctx).then((col) => countsToOffsets(col, this.place(this.branch(counter))));
      ctx.offsets.set(counter, p);
    }
    return p;
  }

  /** Sum of the counter over [first, lo): values of a collection stored before entry `lo` in a basket starting at `first`. */
  private async valuesBefore(counter: string, first: number, lo: number): Promise<number> {
    const before = await this.arrays([counter], { entryStart: first, entryStop: lo });
    const o = countsToOffsets(before[counter]!, this.place(this.branch(counter)));
    return o[o.length - 1]!;
  }

  private async readCounted(b: BranchModel, it: Interp<"counted">, baskets: BasketData[], ctx: ReadContext): Promise<Column> {
    const { start, stop } = ctx;
    const offsets = await this.offsetsFor(it.counter, ctx);
    this.checkAvailable(b, baskets, offsets[offsets.length - 1]! * it.len * storedSize(it.dtype, it.packing));
    return drain(
      countedSink(this.place(b), it, offsets, start, stop, ctx.slab, (first, lo) => this.valuesBefore(it.counter, first, lo)),
      baskets,
    );
  }

  private readVector(b: BranchModel, it: Interp<"vector">, baskets: BasketData[], start: number, stop: number): Column {
    const size = storedSize(it.dtype);
    const offsets = new Int32Array(stop - start + 1);
    const where = new Int32Array(stop - start);
    const basketOf: BasketData[] = new Array(stop - start);
    // Pass 1: sizes, so the content is allocated once.
    for (const bk of baskets) {
      const lo = Math.max(start, bk.first),
        hi = Math.min(stop, bk.first + bk.n);
      if (hi <= lo) continue;
      if (!bk.offsets) throw new HepflowError("ROOT_UNSUPPORTED", "std::vector branch basket without entry offsets", this.place(b));
      const c = new Cursor(bk.data, 0, this.place(b));
      for (let e = lo; e < hi; e++) {
        c.pos = bk.offsets[e - bk.first]!;
        if (it.header) {
          const bc = c.u32();
          if (!(bc & 0x40000000)) throw c.error("ROOT_CORRUPT", `entry ${e}: missing byte count in front of a std::vector`);
          c.u16();
        }
        const n = c.i32();
        c.need(n * size, `entry ${e} (${n} values)`);
        where[e - start] = c.pos;
        basketOf[e - start] = bk;
        offsets[e - start + 1] = offsets[e - start]! + n;
      }
    }
    const out = allocate(it.dtype, offsets[offsets.length - 1]!);
    for (let i = 0; i < stop - start; i++) {
      const n = offsets[i + 1]! - offsets[i]!;
      if (n) decodeInto(it.dtype, basketOf[i]!.data, where[i]!, n, out, offsets[i]!);
    }
    return new Jagged(offsets, out);
  }

  private readNested(b: BranchModel, it: Interp<"nested">, baskets: BasketData[], start: number, stop: number): Column {
    const outer = new Int32Array(stop - start + 1);
    const strings: string[] = [];
    const inner: number[] = [0];
    const spans: [Uint8Array, number, number][] = []; // (data, position, count) of each inner vector's values
    const size = it.dtype ? storedSize(it.dtype) : 0;
    for (const bk of baskets) {
      const lo = Math.max(start, bk.first),
        hi = Math.min(stop, bk.first + bk.n);
      if (hi <= lo) continue;
      if (!bk.offsets) throw new HepflowError("ROOT_UNSUPPORTED", "nested std::vector branch basket without entry offsets", this.place(b));
      const c = new Cursor(bk.data, 0, this.place(b));
      for (let e = lo; e < hi; e++) {
        c.pos = bk.offsets[e - bk.first]!;
        const bc = c.u32();
        if (!(bc & 0x40000000)) throw c.error("ROOT_CORRUPT", `entry ${e}: missing byte count in front of a std::vector`);
        c.u16();
        const n = c.i32();
        if (n < 0 || n > c.remaining) throw c.error("ROOT_CORRUPT", `entry ${e}: vector of ${n} items`);
        for (let k = 0; k < n; k++) {
          if (it.inner === "string") {
            strings.push(c.tstring());
            continue;
          }
          const m = c.i32();
          c.need(m * size, `entry ${e} (${m} values)`);
          spans.push([bk.data, c.pos, m]);
          inner.push(inner[inner.length - 1]! + m);
          c.pos += m * size;
        }
        outer[e - start + 1] = outer[e - start]! + n;
      }
    }
    if (it.inner === "string") return new Jagged(outer, strings);
    const content = allocate(it.dtype!, inner[inner.length - 1]!);
    spans.forEach(([data, pos, m], i) => decodeInto(it.dtype!, data, pos, m, content, inner[i]!));
    return new Jagged(outer, new Jagged(Int32Array.from(inner), content));
  }

  private readStrings(b: BranchModel, it: Interp<"string">, baskets: BasketData[], start: number, stop: number): Column {
    const out: string[] = new Array(stop - start);
    for (const bk of baskets) {
      const lo = Math.max(start, bk.first),
        hi = Math.min(stop, bk.first + bk.n);
      if (hi <= lo) continue;
      const c = new Cursor(bk.data, 0, this.place(b));
      for (let e = bk.first; e < hi; e++) {
        if (bk.offsets) c.pos = bk.offsets[e - bk.first]!;
        else if (e < lo) {
          c.tstring();
          continue;
        }
        if (e < lo) continue;
        if (it.header && c.remaining >= 6) {
          // A byte-count header is recognised by its count matching the entry's size, not by one bit
          // (a string of 64+ characters starts with a byte that also has that bit).
          const word = c.view.getUint32(c.pos);
          const span = bk.offsets ? bk.offsets[e - bk.first + 1]! - bk.offsets[e - bk.first]! : -1;
          if (word & 0x40000000 && (span < 0 || (word & ~0x40000000) === span - 4)) c.skip(6);
        }
        out[e - start] = c.tstring();
      }
    }
    return out;
  }
}

/**
 * Turns an unexpected failure while decoding (a RangeError from a corrupt size, say) into a
 * HepflowError naming the branch, keeping the original as the cause.
 */
export function asHepflow(e: unknown, place: { file: string; object: string }): HepflowError {
  if (e instanceof HepflowError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new HepflowError("ROOT_CORRUPT", `could not decode (${msg}); the file is probably damaged`, place, { cause: e });
}

/** Bytes the branch's baskets hold in all (as recorded in the TTree), the bound for one read's output. */
function holds(b: BranchModel): number {
  let n = b.totBytes;
  for (const r of b.baskets) if (r.embedded) n += r.embedded.data.length;
  return n;
}

function readable(m: BranchModel): boolean {
  return m.interp.kind !== "unsupported" && m.interp.kind !== "container";
}

function info(m: BranchModel): BranchInfo {
  let embedded = 0;
  for (const b of m.baskets) if (b.embedded) embedded += b.embedded.data.length;
  const i: BranchInfo = { name: m.name, typeName: m.typeName, compressedBytes: m.zipBytes, uncompressedBytes: m.totBytes };
  if (embedded > 0) i.embeddedBytes = embedded;
  if (m.counter) i.counter = m.counter;
  if (m.interp.kind === "unsupported") i.detail = `unsupported: ${m.interp.reason}`;
  if (m.interp.kind === "container") i.detail = `container of ${m.interp.children} sub-branches or leaves`;
  return i;
}

/**
 * Running totals of integer counts into o[1..] in one unchecked pass (a copy of the loop per
 * element type, so each stays monomorphic: a NanoAOD read has Int32 and UInt32 counters). True
 * when every count was ≥ 0 and the total fits in int32: a negative count, or one of 2^31 and
 * more, sets the sign bit of `neg`; the int32 total wraps negative past 2^31 − 1 (counts < 2^31).
 */
const integerPrefixSums = perElementType((counts: ArrayLike<number>, o: Int32Array): boolean => {
  let neg = 0,
    acc = 0;
  const n = counts.length;
  for (let i = 0; i < n; i++) {
    const k = counts[i]!;
    neg |= k;
    acc = (acc + k) | 0;
    neg |= acc;
    o[i + 1] = acc;
  }
  return neg >= 0;
}, "integerPrefixSums");

/** Entry counts (a counter column) to offsets starting at 0. */
function countsToOffsets(col: Column, place: { file: string; object: string }, slab?: Slab): Int32Array {
  if (!ArrayBuffer.isView(col)) throw new HepflowError("ROOT_UNSUPPORTED", "counter branch is not a flat number column", place);
  const counts = col as NumericArray;
  const o = slab ? (slab.take("i32", counts.length + 1) as Int32Array) : new Int32Array(counts.length + 1);
  if (counts instanceof Int32Array || counts instanceof Uint32Array || counts instanceof Int16Array || counts instanceof Uint16Array || counts instanceof Uint8Array || counts instanceof Int8Array) {
    if (integerPrefixSums(counts, o)) return o;
    // a bad value: the checked loop below finds it for its message
  }
  let acc = 0;
  for (let i = 0; i < counts.length; i++) {
    const k = Number(counts[i]!);
    if (!(k >= 0) || !Number.isInteger(k)) throw new HepflowError("ROOT_CORRUPT", `counter value ${k} at entry ${i} is not a count`, place);
    acc += k;
    if (acc > 0x7fffffff) throw new HepflowError("ROOT_TOO_LARGE", "more than 2^31 values in one chunk; read a smaller entry range", place);
    o[i + 1] = acc;
  }
  return o;
}
