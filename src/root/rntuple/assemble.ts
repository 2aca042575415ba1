import { HepflowError, Jagged, type Column, type ErrorPlace, type NumericArray } from "../../util/index.js";
import { allocate, copyInto } from "./columntypes.js";
import type { SwitchElements } from "./decode.js";
import type { PageStore } from "./pages.js";
import type { FieldNode } from "./schema.js";

/**
 * The part of a node's elements read in one cluster: `count` elements from cluster-local element `skip`.
 * `total` is the node's element count in the whole cluster when known (entry-aligned nodes); it places the
 * stored elements of deferred columns (added after writing started), whose leading elements read as zeros.
 */
export interface Span {
  skip: number;
  count: number;
  total?: number;
}

/**
 * Builds output columns from decoded pages. Every node is read for a list of clusters with one
 * span each; collections turn cluster-relative index columns into one Int32Array of offsets, cached
 * by physical column so that all fields of one collection (including projections such as
 * NanoAOD's `Muon_*`) share the very same offsets object.
 */
export class Assembler {
  private readonly offsetsCache = new Map<string, { offsets: Int32Array; spans: Span[] }>();

  constructor(
    private readonly store: PageStore,
    private readonly clusterIds: number[],
    private readonly place: ErrorPlace,
  ) {}

  /** Reads `node` for its selected output names (`wanted` says which) over one span per cluster. */
  read(node: FieldNode, spans: Span[], wanted: (path: string) => boolean, out: Map<string, Column>): void {
    switch (node.kind) {
      case "leaf": {
        if (wanted(node.path)) out.set(node.path, this.leaf(node, spans));
        return;
      }
      case "cardinality": {
        if (wanted(node.path)) out.set(node.path, this.cardinality(node, spans));
        return;
      }
      case "string": {
        if (wanted(node.path)) out.set(node.path, this.strings(node, spans));
        return;
      }
      case "record": {
        for (const child of node.children) this.read(child, spans, wanted, out);
        return;
      }
      case "collection": {
        if (!anyWanted(node, wanted)) return;
        const { offsets, spans: childSpans } = this.offsets(node, spans);
        this.wrap(node.child, childSpans, offsets, wanted, out);
        return;
      }
      case "array": {
        if (!anyWanted(node, wanted)) return;
        const total = sum(spans);
        const key = `array:${node.field.id}:${spanKey(spans)}`;
        let cached = this.offsetsCache.get(key);
        if (!cached) {
          const offsets = new Int32Array(total + 1);
          for (let i = 0; i <= total; i++) offsets[i] = i * node.size;
          const n = node.size;
          cached = { offsets, spans: spans.map((s) => ({ skip: s.skip * n, count: s.count * n, total: s.total === undefined ? undefined : s.total * n })) };
          this.offsetsCache.set(key, cached);
        }
        this.wrap(node.child, cached.spans, cached.offsets, wanted, out);
        return;
      }
      case "variant": {
        if (!anyWanted(node, wanted)) return;
        this.variant(node, spans, wanted, out);
        return;
      }
      case "unsupported":
        if (anyWanted(node, wanted)) {
          throw new HepflowError("ROOT_UNSUPPORTED", `field "${node.path}" (${node.field.typeName || "untyped"}) cannot be read: ${node.reason}`, { ...this.place, object: `${this.place.object} field "${node.path}"` });
        }
    }
  }

  /** Reads a child and wraps each of its output columns in one level of `Jagged` with the shared offsets. */
  private wrap(child: FieldNode, spans: Span[], offsets: Int32Array, wanted: (p: string) => boolean, out: Map<string, Column>): void {
    const inner = new Map<string, Column>();
    this.read(child, spans, wanted, inner);
    for (const [name, col] of inner) out.set(name, new Jagged(offsets, col));
  }

  /** A column of the representation active in cluster k (others are suppressed there), with where its elements sit. */
  private loaded(node: FieldNode, k: number, which: number, span: Span): { values: NumericArray | SwitchElements; start: number; lead: number } | undefined {
    const cid = this.clusterIds[k]!;
    for (const rep of node.reps) {
      const first = this.store.column(cid, rep[0]!, node.path);
      if (first === undefined) continue;
      const got = which === 0 ? first : this.store.column(cid, rep[which]!, node.path);
      if (!got) return undefined;
      const stored = this.store.storedCount(cid, rep[which]!);
      const lead = span.total === undefined ? 0 : span.total - stored;
      if (lead < 0) {
        throw new HepflowError("RNTUPLE_CORRUPT", `field "${node.path}" stores ${stored} elements in cluster ${cid} where its parent expects ${span.total}`, this.place);
      }
      return { ...got, lead };
    }
    return undefined;
  }

  /** Copies elements [skip, skip+count) of a column in cluster k into `out` at `at`; missing or leading elements are zeros. */
  private copy(node: FieldNode, k: number, span: Span, out: NumericArray, at: number): void {
    const col = this.loaded(node, k, 0, span);
    if (!col) return;
    const values = col.values as NumericArray;
    // Element j of the node is stored element j - lead, found at values[j - lead - start].
    const from = Math.max(span.skip, col.lead);
    const to = span.skip + span.count;
    if (from >= to) return;
    const a = from - col.lead - col.start,
      b = to - col.lead - col.start;
    if (a < 0 || b > values.length) throw this.missing(node, k);
    copyInto(out, values.subarray(a, b) as NumericArray, at + (from - span.skip));
  }

  private missing(node: FieldNode, k: number): HepflowError {
    return new HepflowError("RNTUPLE_CORRUPT", `field "${node.path}" has fewer elements than its entries need in cluster ${this.clusterIds[k]}; the page list is inconsistent`, this.place);
  }

  private leaf(node: FieldNode & { kind: "leaf" }, spans: Span[]): NumericArray {
    const out = allocate(node.out, sum(spans));
    let pos = 0;
    spans.forEach((span, k) => {
      this.copy(node, k, span, out, pos);
      pos += span.count;
    });
    return out;
  }

  /** Index values (cluster-relative end offsets) for elements [skip-1, skip+count): entry 0 is the start offset. */
  private index(node: FieldNode, k: number, span: Span): Float64Array {
    const ends = new Float64Array(span.count + 1);
    const col = this.loaded(node, k, 0, span);
    if (!col) return ends;
    const values = col.values as Float64Array;
    for (let j = span.skip - 1, i = 0; j < span.skip + span.count; j++, i++) {
      const s = j - col.lead;
      if (s < 0) continue;
      const v = values[s - col.start];
      if (v === undefined) throw this.missing(node, k);
      ends[i] = v;
    }
    return ends;
  }

  private offsets(node: FieldNode, spans: Span[]): { offsets: Int32Array; spans: Span[] } {
    const key = `index:${node.reps.map((r) => r[0]!.id).join(",")}:${spanKey(spans)}`;
    const cached = this.offsetsCache.get(key);
    if (cached) return cached;
    const offsets = new Int32Array(sum(spans) + 1);
    const childSpans: Span[] = [];
    let pos = 0,
      base = 0;
    spans.forEach((span, k) => {
      const ends = this.index(node, k, span);
      const first = ends[0]!;
      let prev = first;
      for (let i = 1; i <= span.count; i++) {
        const v = ends[i]!;
        if (v < prev) throw new HepflowError("RNTUPLE_CORRUPT", `collection "${node.path}" has decreasing offsets in cluster ${this.clusterIds[k]}; the page is corrupt`, this.place);
        offsets[pos + i] = base + v - first;
        prev = v;
      }
      const count = prev - first;
      if (base + count > 0x7fffffff) throw new HepflowError("ROOT_TOO_LARGE", `collection "${node.path}" has more than 2^31 elements in one read; read fewer entries at a time`, this.place);
      // The whole cluster is covered when the span is: then the child's total is known too.
      const whole = span.total !== undefined && span.skip === 0 && span.count === span.total;
      childSpans.push({ skip: first, count, total: whole ? count : undefined });
      base += count;
      pos += span.count;
    });
    const result = { offsets, spans: childSpans };
    this.offsetsCache.set(key, result);
    return result;
  }

  private cardinality(node: FieldNode & { kind: "cardinality" }, spans: Span[]): NumericArray {
    const out = allocate(node.out, sum(spans));
    let pos = 0;
    spans.forEach((span, k) => {
      const ends = this.index(node, k, span);
      const sizes = new Float64Array(span.count);
      for (let i = 0; i < span.count; i++) sizes[i] = ends[i + 1]! - ends[i]!;
      copyInto(out, sizes, pos);
      pos += span.count;
    });
    return out;
  }

  private strings(node: FieldNode, spans: Span[]): string[] {
    const out: string[] = [];
    spans.forEach((span, k) => {
      const ends = this.index(node, k, span);
      const chars = this.loaded(node, k, 1, { skip: 0, count: 0 });
      const bytes = (chars?.values as Uint8Array | undefined) ?? new Uint8Array(0);
      const shift = chars?.start ?? 0;
      for (let i = 0; i < span.count; i++) {
        const a = ends[i]! - shift,
          b = ends[i + 1]! - shift;
        if (a < 0 || b < a || b > bytes.length) throw new HepflowError("RNTUPLE_CORRUPT", `string field "${node.path}" has offset ${ends[i + 1]} outside its characters in cluster ${this.clusterIds[k]}`, this.place);
        out.push(utf8.decode(bytes.subarray(a, b)));
      }
    });
    return out;
  }

  /** A variant becomes one jagged column per alternative with 0 or 1 values per entry. */
  private variant(node: FieldNode & { kind: "variant" }, spans: Span[], wanted: (p: string) => boolean, out: Map<string, Column>): void {
    const total = sum(spans);
    const tags = new Uint32Array(total);
    // Per cluster and alternative: how many of its elements come before the span (the alternative's skip).
    const before: number[][] = [];
    let pos = 0;
    spans.forEach((span, k) => {
      const skipOf = new Array<number>(node.children.length + 1).fill(0);
      const seen = new Array<number>(node.children.length + 1).fill(0);
      const col = this.loaded(node, k, 0, span);
      if (col && "tag" in col.values) {
        const sw = col.values;
        // The switch column is always loaded whole (start 0), so earlier tags can be counted.
        for (let s = 0; s < sw.tag.length; s++) {
          const t = sw.tag[s]!;
          if (t > node.children.length) throw new HepflowError("RNTUPLE_CORRUPT", `variant "${node.path}" has tag ${t} but ${node.children.length} alternatives`, this.place);
          // Alternatives' elements are stored in entry order; anything else would need a gather this reader does not do.
          if (t > 0 && sw.index[s] !== seen[t]) throw new HepflowError("ROOT_UNSUPPORTED", `variant "${node.path}" stores alternatives out of order`, this.place);
          const j = s + col.lead;
          if (j < span.skip) {
            if (t > 0) skipOf[t]!++;
          } else if (j < span.skip + span.count) tags[pos + j - span.skip] = t;
          if (t > 0) seen[t]!++;
        }
      }
      before.push(skipOf);
      pos += span.count;
    });
    node.children.forEach((child, a) => {
      if (!anyWanted(child, wanted)) return;
      const offsets = new Int32Array(total + 1);
      const childSpans: Span[] = [];
      let at = 0,
        n = 0;
      spans.forEach((span, k) => {
        const start = n;
        for (let i = 0; i < span.count; i++, at++) {
          if (tags[at] === a + 1) n++;
          offsets[at + 1] = n;
        }
        childSpans.push({ skip: before[k]![a + 1]!, count: n - start });
      });
      this.wrap(child, childSpans, offsets, wanted, out);
    });
  }
}

/** Whether any output column at or below `node` is selected. */
export function anyWanted(node: FieldNode, wanted: (p: string) => boolean): boolean {
  for (const p of outputPaths(node)) if (wanted(p)) return true;
  return false;
}

const pathsCache = new WeakMap<FieldNode, string[]>();

/** The output column names a node produces (cached: plans are immutable and asked for on every read). */
export function outputPaths(node: FieldNode): string[] {
  let paths = pathsCache.get(node);
  if (!paths) {
    switch (node.kind) {
      case "record":
      case "variant":
        paths = node.children.flatMap(outputPaths);
        break;
      case "collection":
      case "array":
        paths = outputPaths(node.child);
        break;
      default:
        paths = [node.path];
    }
    pathsCache.set(node, paths);
  }
  return paths;
}

function sum(spans: Span[]): number {
  let s = 0;
  for (const x of spans) s += x.count;
  return s;
}

function spanKey(spans: Span[]): string {
  return spans.map((s) => `${s.skip}+${s.count}`).join(",");
}

const utf8 = new TextDecoder("utf-8");
