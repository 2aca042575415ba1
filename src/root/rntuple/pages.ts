import { HepflowError, type ErrorPlace, type NumericArray } from "../../util/index.js";
import type { ByteSource } from "../../io/index.js";
import { decompress, decompressAsync, syncCodecs } from "../compression.js";
import { xxh3_64 } from "./checksum.js";
import { columnTypeName, storageBits } from "./columntypes.js";
import { decodePage, type SwitchElements } from "./decode.js";
import type { ClusterInfo, ColumnDescriptor } from "./metadata.js";

/** Reads ranges closer than this in one request: fewer syscalls/HTTP requests for a little waste. */
const MERGE_GAP = 64 * 1024;

/** Pages wanted from one column in one cluster: stored elements [from, to), or all when `from` is undefined. */
export interface PageRequest {
  clusterId: number;
  column: ColumnDescriptor;
  from?: number;
  to?: number;
}

/** Decoded elements of a column in a cluster: `values[0]` is stored element `start` of that cluster. */
export interface LoadedColumn {
  values: NumericArray | SwitchElements;
  start: number;
}

/**
 * Fetches and decodes the pages of a set of (cluster, column) pairs, optionally only the pages that
 * overlap an element range. All byte ranges are requested at once (nearby ones merged) so local and
 * remote sources see few large reads.
 */
export class PageStore {
  /** Per (cluster, column): the first selected page, its first element, the pages as stored, and (page's build) their decompressed bytes or the error. */
  private readonly selected = new Map<string, { first: number; start: number; raw: Uint8Array[]; inflated?: (Uint8Array | Error)[] }>();
  private readonly decoded = new Map<string, LoadedColumn>();

  private constructor(
    private readonly clusters: ClusterInfo[],
    private readonly place: ErrorPlace,
  ) {}

  static async load(source: ByteSource, clusters: ClusterInfo[], requests: PageRequest[], place: ErrorPlace): Promise<PageStore> {
    const store = new PageStore(clusters, place);
    // Several fields may alias one physical column: take the union of their element ranges.
    const merged = new Map<string, PageRequest>();
    for (const r of requests) {
      const key = `${r.clusterId}:${r.column.id}`;
      const had = merged.get(key);
      if (!had) merged.set(key, { ...r });
      else if (had.from !== undefined) {
        if (r.from === undefined) {
          had.from = undefined;
          had.to = undefined;
        } else {
          had.from = Math.min(had.from, r.from);
          had.to = Math.max(had.to!, r.to!);
        }
      }
    }
    const wanted: { key: string; page: number; offset: number; length: number }[] = [];
    for (const [key, r] of merged) {
      const range = clusters[r.clusterId]!.columns[r.column.id];
      if (!range || range.suppressed) continue;
      let first = 0,
        last = range.pages.length,
        start = 0,
        at = 0;
      if (r.from !== undefined) {
        first = last = -1;
        range.pages.forEach((p, i) => {
          const end = at + p.numElements;
          if (end > r.from! && at < r.to! && p.numElements > 0) {
            if (first < 0) {
              first = i;
              start = at;
            }
            last = i + 1;
          }
          at = end;
        });
        if (first < 0) {
          first = last = 0;
        }
      }
      const raw = new Array<Uint8Array>(last - first);
      store.selected.set(key, { first, start, raw });
      for (let i = first; i < last; i++) {
        const p = range.pages[i]!;
        wanted.push({ key, page: i - first, offset: p.locator.offset, length: p.locator.size + (p.hasChecksum ? 8 : 0) });
      }
    }
    if (!wanted.length) return store;
    const size = await source.size();
    for (const w of wanted) {
      if (w.offset + w.length > size) {
        throw new HepflowError("RNTUPLE_TRUNCATED", `page at ${w.offset}+${w.length} lies past the end of the file (${size} bytes); the file is truncated`, { ...place, offset: w.offset });
      }
    }
    const sorted = [...wanted].sort((a, b) => a.offset - b.offset);
    const spans: { offset: number; end: number; members: typeof wanted }[] = [];
    for (const w of sorted) {
      const last = spans[spans.length - 1];
      if (last && w.offset <= last.end + MERGE_GAP) {
        last.end = Math.max(last.end, w.offset + w.length);
        last.members.push(w);
      } else spans.push({ offset: w.offset, end: w.offset + w.length, members: [w] });
    }
    const bytes = await source.readMany(spans.map((s) => ({ offset: s.offset, length: s.end - s.offset })));
    spans.forEach((s, i) => {
      for (const m of s.members) store.selected.get(m.key)!.raw[m.page] = bytes[i]!.subarray(m.offset - s.offset, m.offset - s.offset + m.length);
    });
    if (!syncCodecs) await store.inflateAll(merged);
    return store;
  }

  /**
   * The page's build: decompress every selected page here, concurrently, since its codecs are
   * asynchronous and column() is not. A failure is kept and thrown by column() after the
   * checksum test, in the order the synchronous build reports them.
   */
  private async inflateAll(requests: Map<string, PageRequest>): Promise<void> {
    const jobs: Promise<void>[] = [];
    for (const [key, sel] of this.selected) {
      const r = requests.get(key)!;
      const range = this.clusters[r.clusterId]!.columns[r.column.id]!;
      const bits = storageBits(r.column.type, r.column.bits);
      const inflated: (Uint8Array | Error)[] = (sel.inflated = new Array(sel.raw.length));
      sel.raw.forEach((stored, j) => {
        const page = range.pages[sel.first + j]!;
        const size = Math.ceil((page.numElements * bits) / 8);
        jobs.push(
          decompressAsync(stored.subarray(0, page.locator.size), size, { ...this.place, offset: page.locator.offset }).then(
            (b) => {
              inflated[j] = b;
            },
            (e: unknown) => {
              inflated[j] = e instanceof Error ? e : new Error(String(e));
            },
          ),
        );
      });
    }
    await Promise.all(jobs);
  }

  /** Number of elements a column stores in a cluster (0 when absent). */
  storedCount(clusterId: number, col: ColumnDescriptor): number {
    const range = this.clusters[clusterId]!.columns[col.id];
    return range && !range.suppressed ? range.numElements : 0;
  }

  /** The loaded elements of a column in a cluster, or undefined when the cluster stores none (absent or suppressed). */
  column(clusterId: number, col: ColumnDescriptor, fieldName: string): LoadedColumn | undefined {
    const key = `${clusterId}:${col.id}`;
    const cached = this.decoded.get(key);
    if (cached) return cached;
    const range = this.clusters[clusterId]!.columns[col.id];
    const sel = this.selected.get(key);
    if (!range || range.suppressed || !sel) return undefined;
    const place = { ...this.place, object: `${this.place.object ?? "RNTuple"} field "${fieldName}" column ${col.id} (${columnTypeName(col.type, col.bits)}) cluster ${clusterId}` };
    const bits = storageBits(col.type, col.bits);
    const parts: (NumericArray | SwitchElements)[] = sel.raw.map((stored, j) => {
      const i = sel.first + j;
      const page = range.pages[i]!;
      if (page.hasChecksum) {
        const body = stored.subarray(0, page.locator.size);
        const view = new DataView(stored.buffer, stored.byteOffset + page.locator.size, 8);
        const want = view.getBigUint64(0, true);
        if (xxh3_64(body) !== want) {
          throw new HepflowError("RNTUPLE_CHECKSUM", `page ${i} checksum mismatch; the file is corrupt`, { ...place, offset: page.locator.offset });
        }
        stored = body;
      }
      const size = Math.ceil((page.numElements * bits) / 8);
      const early = sel.inflated?.[j];
      if (early instanceof Error) throw early;
      const bytes = early ?? decompress(stored, size, { ...place, offset: page.locator.offset });
      return decodePage(bytes, col, page.numElements, place);
    });
    const loaded = { values: parts.length === 1 ? parts[0]! : concat(parts), start: sel.start };
    this.decoded.set(key, loaded);
    return loaded;
  }
}

function concat(parts: (NumericArray | SwitchElements)[]): NumericArray | SwitchElements {
  if (parts.length === 0) return new Float64Array(0);
  const first = parts[0]!;
  if ("tag" in first) {
    const sw = parts as SwitchElements[];
    const n = sw.reduce((s, p) => s + p.tag.length, 0);
    const index = new Float64Array(n),
      tag = new Uint32Array(n);
    let at = 0;
    for (const p of sw) {
      index.set(p.index, at);
      tag.set(p.tag, at);
      at += p.tag.length;
    }
    return { index, tag };
  }
  const arrays = parts as NumericArray[];
  const n = arrays.reduce((s, p) => s + p.length, 0);
  const Ctor = first.constructor as new (n: number) => NumericArray;
  const out = new Ctor(n);
  let at = 0;
  for (const p of arrays) {
    (out as Float64Array).set(p as Float64Array, at);
    at += p.length;
  }
  return out;
}
