import { createRequire } from "node:module";
import { HepflowError, Jagged, type Column, type Columns, type NumericArray } from "../../util/index.js";
import { Cursor } from "../cursor.js";
import type { RootFile } from "../file.js";
import type { BranchInfo, ColumnChunk, EntryRange, IterateOptions, TreeLike } from "../treelike.js";
import { ObjectReader, type RootObject } from "../streamers/index.js";
import { allFetched, basketsInRange, decodeBaskets, loadBaskets, prefetchBaskets, type BasketData } from "./baskets.js";
import { allocate, decodeInto, storedSize } from "./decode.js";
import type { BasketRef, BranchModel, Interpretation } from "./model.js";

// picomatch ships no type declarations; this is the one call we use.
const picomatch = createRequire(import.meta.url)("picomatch") as (glob: string, options?: { dot?: boolean }) => (name: string) => boolean;

type Interp<K extends Interpretation["kind"]> = Extract<Interpretation, { kind: K }>;

/** Columns already read in one `arrays` call, so counters are read once and collections share offsets. */
class ReadContext {
  readonly columns = new Map<string, Promise<Column>>();
  readonly offsets = new Map<string, Promise<Int32Array>>();
  /** Objects read whole, once per parent branch: offsets (for vectors) and one array per member path. */
  readonly objects = new Map<string, Promise<{ offsets: Int32Array | null; members: Map<string, NumericArray> }>>();
  fetched?: Map<BasketRef, Uint8Array>;
  /** How many selected columns still need each fetched basket; at zero its raw bytes are dropped. */
  readonly users = new Map<BasketRef, number>();
  size = 0;

  /** Marks the baskets as used by one more column; frees the raw bytes nobody needs any more. */
  release(refs: readonly BasketRef[]): void {
    for (const r of refs) {
      const left = (this.users.get(r) ?? 1) - 1;
      this.users.set(r, left);
      if (left <= 0) this.fetched?.delete(r);
    }
  }
  constructor(readonly start: number, readonly stop: number) {}
}

/** A TTree: branch metadata from the TTree key, columns read basket by basket on demand. */
export class TTree implements TreeLike {
  readonly kind = "TTree" as const;
  readonly branches: readonly BranchInfo[];
  private readonly byName = new Map<string, BranchModel>();

  constructor(readonly file: RootFile, readonly name: string, readonly numEntries: number, readonly models: readonly BranchModel[], private readonly object: RootObject) {
    for (const m of models) if (!this.byName.has(m.name)) this.byName.set(m.name, m);
    this.branches = models.map((m) => info(m));
  }

  /** The branch model by name (for tools that need the interpretation or baskets). */
  branch(name: string): BranchModel {
    const m = this.byName.get(name);
    if (!m) throw new HepflowError("ROOT_NOT_FOUND", `no branch "${name}" in tree ${this.name}`, { file: this.file.name, object: this.name });
    return m;
  }

  /** Branch names matched by exact names or globs; omitted means every readable branch. */
  resolve(names?: string | readonly string[]): string[] {
    if (names === undefined) return this.models.filter(readable).map((m) => m.name);
    const list = typeof names === "string" ? [names] : names;
    const out: string[] = [];
    for (const n of list) {
      if (this.byName.has(n)) { out.push(n); continue; }
      const isMatch = picomatch(n, { dot: true });
      const hits = this.models.filter((m) => isMatch(m.name) && readable(m)).map((m) => m.name);
      if (hits.length === 0) throw new HepflowError("ROOT_NOT_FOUND", `no branch matches "${n}" in tree ${this.name}`, { file: this.file.name, object: this.name });
      out.push(...hits);
    }
    return [...new Set(out)];
  }

  async arrays(names?: string | readonly string[], range: EntryRange = {}): Promise<Columns> {
    const { start, stop } = this.range(range);
    const ctx = new ReadContext(start, stop);
    const selected = this.resolve(names);
    const needed = this.basketsNeeded(selected, start, stop);
    for (const r of needed) ctx.users.set(r, (ctx.users.get(r) ?? 0) + 1);
    ctx.fetched = await prefetchBaskets(this.file, needed);
    ctx.size = await this.file.source.size();
    const cols = await Promise.all(selected.map((n) => this.column(n, ctx)));
    const out: Columns = {};
    selected.forEach((n, i) => { out[n] = cols[i]!; });
    return out;
  }

  /** The baskets of the selected branches and of their counters for [start, stop). */
  private basketsNeeded(selected: string[], start: number, stop: number): BasketRef[] {
    const names = new Set(selected);
    for (const n of selected) {
      const it = this.byName.get(n)?.interp;
      if (it?.kind === "counted" && this.byName.has(it.counter)) names.add(it.counter);
    }
    return [...names].flatMap((n) => basketsInRange(this.byName.get(n)!, start, stop));
  }

  async *iterate(names?: string | readonly string[], options: IterateOptions = {}): AsyncIterable<ColumnChunk> {
    const { start, stop } = this.range(options);
    const selected = this.resolve(names);
    const edges = options.stepSize ? stepEdges(start, stop, options.stepSize) : this.clusterBoundaries().filter((e) => e > start && e < stop);
    const bounds = options.stepSize ? edges : [start, ...edges, stop];
    for (let i = 0; i + 1 < bounds.length; i++) {
      const a = bounds[i]!, b = bounds[i + 1]!;
      if (b <= a) continue;
      yield { entryStart: a, entryStop: b, columns: await this.arrays(selected, { entryStart: a, entryStop: b }) };
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
      while (at + size <= Number(ends[i]) + 1 && at + size < n) { at += size; out.push(at); }
      at = Number(ends[i]) + 1;
      if (at < n && out[out.length - 1] !== at) out.push(at);
    }
    if (autoFlush > 0 && n / autoFlush < 1e6) {
      while (at + autoFlush < n) { at += autoFlush; out.push(at); }
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
    let p = ctx.columns.get(name);
    if (!p) {
      const b = this.branch(name);
      p = this.readColumn(b, ctx).catch((e: unknown) => { throw asHepflow(e, this.place(b)); });
      ctx.columns.set(name, p);
    }
    return p;
  }

  private async readColumn(b: BranchModel, ctx: ReadContext): Promise<Column> {
    const { start, stop } = ctx;
    const it = b.interp;
    if (it.kind === "unsupported") {
      throw new HepflowError("ROOT_UNSUPPORTED", `branch cannot be read yet: ${it.reason}`, this.place(b));
    }
    if (it.kind === "container") {
      const subs = this.models.filter((m) => m.name.startsWith(`${b.name}.`) || m.name.startsWith(b.name.replace(/\.$/, "") + ".")).slice(0, 5).map((m) => m.name);
      throw new HepflowError("ROOT_NOT_A_COLUMN", `branch holds no values of its own (${it.children} sub-branches or leaves); read its members instead${subs.length ? `, e.g. ${subs.join(", ")}` : ""}`, this.place(b));
    }
    if (it.kind === "member") return this.readMemberColumn(b, it, ctx);
    this.checkCoverage(b, start, stop);
    const refs = basketsInRange(b, start, stop);
    // Prefetched: decompress and decode without yielding, so the decompressed baskets die young.
    const baskets = allFetched(refs, ctx.fetched) ? decodeBaskets(this.file, b, refs, ctx.fetched!, ctx.size) : await loadBaskets(this.file, b, refs, ctx.fetched);
    ctx.release(refs);
    switch (it.kind) {
      case "fixed": return this.readFixed(b, it, baskets, start, stop);
      case "counted": return this.readCounted(b, it, baskets, ctx);
      case "vector": return this.readVector(b, it, baskets, start, stop);
      case "string": return this.readStrings(b, it, baskets, start, stop);
      case "leaf": return this.readLeaf(b, it, baskets, start, stop);
      case "nested": return this.readNested(b, it, baskets, start, stop);

    }
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
  private checkCoverage(b: BranchModel, start: number, stop: number): void {
    let at = start;
    for (const r of basketsInRange(b, start, stop)) {
      if (r.first > at) break;
      at = Math.max(at, r.stop);
    }
    if (at < stop) {
      throw new HepflowError("ROOT_CORRUPT", `no basket holds entry ${at} (branch has ${b.baskets.length} baskets, tree ${this.numEntries} entries)`, this.place(b));
    }
  }

  private readFixed(b: BranchModel, it: Interp<"fixed">, baskets: BasketData[], start: number, stop: number): Column {
    const size = storedSize(it.dtype, it.packing);
    const perEntry = size * it.len;
    this.checkAvailable(b, baskets, (stop - start) * perEntry);
    const out = allocate(it.dtype, (stop - start) * it.len);
    for (const bk of baskets) {
      const lo = Math.max(start, bk.first), hi = Math.min(stop, bk.first + bk.n);
      if (hi <= lo) continue;
      if (bk.data.length < bk.n * perEntry) {
        throw new HepflowError("ROOT_CORRUPT", `basket of entries ${bk.first}..${bk.first + bk.n} has ${bk.data.length} bytes, expected ${bk.n * perEntry}`, this.place(b));
      }
      const headerless = bk.offsets === null || bk.data.length === bk.n * perEntry;
      if (headerless) {
        decodeInto(it.dtype, bk.data, (lo - bk.first) * perEntry, (hi - lo) * it.len, out, (lo - start) * it.len, it.packing);
      } else {
        // Entries carry a header in front of their values: take the values from each entry's end.
        for (let e = lo; e < hi; e++) {
          const end = bk.offsets![e - bk.first + 1]!;
          decodeInto(it.dtype, bk.data, end - perEntry, it.len, out, (e - start) * it.len, it.packing);
        }
      }
    }
    if (it.len === 1) return out;
    const offsets = new Int32Array(stop - start + 1);
    for (let i = 0; i < offsets.length; i++) offsets[i] = i * it.len;
    return new Jagged(offsets, out);
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
        const baskets = await loadBaskets(this.file, parent, basketsInRange(parent, start, stop), ctx.fetched);
        const streamers = await this.file.streamerInfos();
        const rows: unknown[] = [];
        const counts = new Int32Array(stop - start + 1);
        for (const bk of baskets) {
          const lo = Math.max(start, bk.first), hi = Math.min(stop, bk.first + bk.n);
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

  private readLeaf(b: BranchModel, it: Interp<"leaf">, baskets: BasketData[], start: number, stop: number): Column {
    this.checkAvailable(b, baskets, (stop - start) * it.stride);
    const out = allocate(it.dtype, (stop - start) * it.len);
    for (const bk of baskets) {
      const lo = Math.max(start, bk.first), hi = Math.min(stop, bk.first + bk.n);
      if (hi <= lo) continue;
      if (bk.data.length < bk.n * it.stride) {
        throw new HepflowError("ROOT_CORRUPT", `leaf-list basket of ${bk.n} entries has ${bk.data.length} bytes, expected ${bk.n * it.stride}`, this.place(b));
      }
      for (let e = lo; e < hi; e++) decodeInto(it.dtype, bk.data, (e - bk.first) * it.stride + it.offset, it.len, out, (e - start) * it.len, it.packing);
    }
    if (it.len === 1) return out;
    const offsets = new Int32Array(stop - start + 1);
    for (let i = 0; i < offsets.length; i++) offsets[i] = i * it.len;
    return new Jagged(offsets, out);
  }

  private offsetsFor(counter: string, ctx: ReadContext): Promise<Int32Array> {
    let p = ctx.offsets.get(counter);
    if (!p) {
      p = this.column(counter, ctx).then((col) => countsToOffsets(col, this.place(this.branch(counter))));
      ctx.offsets.set(counter, p);
    }
    return p;
  }

  private async readCounted(b: BranchModel, it: Interp<"counted">, baskets: BasketData[], ctx: ReadContext): Promise<Column> {
    const { start, stop } = ctx;
    const offsets = await this.offsetsFor(it.counter, ctx);
    const size = storedSize(it.dtype, it.packing);
    this.checkAvailable(b, baskets, offsets[offsets.length - 1]! * it.len * size);
    const out = allocate(it.dtype, offsets[offsets.length - 1]! * it.len);
    for (const bk of baskets) {
      const lo = Math.max(start, bk.first), hi = Math.min(stop, bk.first + bk.n);
      if (hi <= lo) continue;
      const nvals = (offsets[hi - start]! - offsets[lo - start]!) * it.len;
      const at = offsets[lo - start]! * it.len;
      if (bk.offsets) {
        const b0 = bk.offsets[lo - bk.first]!, b1 = bk.offsets[hi - bk.first]!;
        if (b0 < 0 || b1 > bk.data.length || b1 < b0) throw new HepflowError("ROOT_CORRUPT", `entry offsets ${b0}..${b1} lie outside the basket (${bk.data.length} bytes)`, this.place(b));
        if (b1 - b0 === nvals * size) {
          decodeInto(it.dtype, bk.data, b0, nvals, out, at, it.packing);
          continue;
        }
        // Per-entry headers: each entry's values are the last count×len×size bytes of its span.
        for (let e = lo; e < hi; e++) {
          const k = (offsets[e - start + 1]! - offsets[e - start]!) * it.len;
          const e0 = bk.offsets[e - bk.first]!, e1 = bk.offsets[e - bk.first + 1]!;
          if (e1 - e0 < k * size || e0 < 0 || e1 > bk.data.length) {
            throw new HepflowError("ROOT_CORRUPT", `entry ${e} has ${e1 - e0} bytes but its counter ${it.counter} says ${k} values`, this.place(b));
          }
          decodeInto(it.dtype, bk.data, e1 - k * size, k, out, offsets[e - start]! * it.len, it.packing);
        }
        continue;
      }
      // No entry offsets stored: skip the entries before `lo` by their counts.
      let skip = 0;
      if (lo > bk.first) {
        const before = await this.arrays([it.counter], { entryStart: bk.first, entryStop: lo });
        const o = countsToOffsets(before[it.counter]!, this.place(this.branch(it.counter)));
        skip = o[o.length - 1]! * it.len * size;
      }
      if (skip + nvals * size > bk.data.length) {
        throw new HepflowError("ROOT_CORRUPT", `counter ${it.counter} asks for ${nvals} values but the basket holds ${Math.floor((bk.data.length - skip) / size)}`, this.place(b));
      }
      decodeInto(it.dtype, bk.data, skip, nvals, out, at, it.packing);
    }
    return new Jagged(offsets, out);
  }

  private readVector(b: BranchModel, it: Interp<"vector">, baskets: BasketData[], start: number, stop: number): Column {
    const size = storedSize(it.dtype);
    const offsets = new Int32Array(stop - start + 1);
    const where = new Int32Array(stop - start);
    const basketOf: BasketData[] = new Array(stop - start);
    // Pass 1: sizes, so the content is allocated once.
    for (const bk of baskets) {
      const lo = Math.max(start, bk.first), hi = Math.min(stop, bk.first + bk.n);
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
      const lo = Math.max(start, bk.first), hi = Math.min(stop, bk.first + bk.n);
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
          if (it.inner === "string") { strings.push(c.tstring()); continue; }
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
      const lo = Math.max(start, bk.first), hi = Math.min(stop, bk.first + bk.n);
      if (hi <= lo) continue;
      const c = new Cursor(bk.data, 0, this.place(b));
      for (let e = bk.first; e < hi; e++) {
        if (bk.offsets) c.pos = bk.offsets[e - bk.first]!;
        else if (e < lo) { c.tstring(); continue; }
        if (e < lo) continue;
        if (it.header && c.remaining >= 6) {
          // A byte-count header is recognised by its count matching the entry's size, not by one bit
          // (a string of 64+ characters starts with a byte that also has that bit).
          const word = c.view.getUint32(c.pos);
          const span = bk.offsets ? bk.offsets[e - bk.first + 1]! - bk.offsets[e - bk.first]! : -1;
          if ((word & 0x40000000) && (span < 0 || (word & ~0x40000000) === span - 4)) c.skip(6);
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

function readable(m: BranchModel): boolean {
  return m.interp.kind !== "unsupported" && m.interp.kind !== "container";
}

function info(m: BranchModel): BranchInfo {
  let compressed = m.zipBytes, uncompressed = m.totBytes;
  if (uncompressed === 0) {
    for (const b of m.baskets) if (b.embedded) { compressed += b.embedded.data.length; uncompressed += b.embedded.data.length; }
  }
  const i: BranchInfo = { name: m.name, typeName: m.typeName, compressedBytes: compressed, uncompressedBytes: uncompressed };
  if (m.counter) i.counter = m.counter;
  if (m.interp.kind === "unsupported") i.detail = `unsupported: ${m.interp.reason}`;
  if (m.interp.kind === "container") i.detail = `container of ${m.interp.children} sub-branches or leaves`;
  return i;
}

function stepEdges(start: number, stop: number, step: number): number[] {
  if (!(step > 0)) throw new HepflowError("ROOT_BAD_RANGE", `stepSize must be positive, got ${step}`);
  const out = [start];
  for (let e = start + step; e < stop; e += step) out.push(e);
  out.push(stop);
  return out;
}

/** Entry counts (a counter column) to offsets starting at 0. */
function countsToOffsets(col: Column, place: { file: string; object: string }): Int32Array {
  if (!ArrayBuffer.isView(col)) throw new HepflowError("ROOT_UNSUPPORTED", "counter branch is not a flat number column", place);
  const counts = col as NumericArray;
  const o = new Int32Array(counts.length + 1);
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
