import { HepflowError, Jagged, didYouMean, type Column, type Columns, type ErrorPlace, type NumericArray } from "../../util/index.js";
import type { BranchInfo, ColumnChunk, EntryRange, IterateOptions, TreeLike } from "../treelike.js";
import type { RootFile } from "../file.js";
import type { Key } from "../key.js";
import { decompressAny } from "../compression.js";
import { Assembler, anyWanted, outputPaths, type Span } from "./assemble.js";
import { columnTypeName, storageBits } from "./columntypes.js";
import { parseAnchor, parseFooter, parseHeader, parsePageList, type Anchor, type ClusterInfo, type ColumnDescriptor, type FieldDescriptor, type Header } from "./metadata.js";
import { PageStore, type PageRequest } from "./pages.js";
import { Trimmer } from "../trim.js";
import { Schema, type FieldNode } from "./schema.js";

// picomatch, loaded with the first glob (most reads name no pattern).
import { globMatcher as picomatch } from "#util/glob";

/** One output column: its name, the top-level field it comes from and the plan to read it. */
interface OutputColumn {
  info: BranchInfo;
  top: FieldNode;
}

/**
 * An RNTuple opened for reading, behind the same TreeLike interface as a TTree.
 *
 * Naming: every top-level field gives one column per leaf; record members are joined with "."
 * (`event.jets.pt`), collections and arrays add a level of `Jagged` without adding a name part,
 * base-class members merge into their class, variant alternatives are `v._0`, `v._1`.
 * Top-level fields that serve as the source of projected fields (RNTupleImporter's
 * `_collectionN` for NanoAOD) are hidden: their content is exposed under the projected names
 * (`nMuon`, `Muon_pt`), which are the TTree branch names.
 */
export class RNTuple implements TreeLike {
  readonly kind = "RNTuple" as const;
  readonly branches: BranchInfo[];
  private readonly outputs = new Map<string, OutputColumn>();
  private readonly tops = new Map<string, FieldNode>();
  private readonly clusterStarts: number[];

  private constructor(
    private readonly file: RootFile,
    readonly name: string,
    readonly anchor: Anchor,
    readonly header: Header,
    readonly schema: Schema,
    readonly clusters: ClusterInfo[],
    readonly numEntries: number,
  ) {
    this.clusterStarts = clusters.map((c) => c.firstEntry);
    this.branches = [];
    const hidden = new Set<number>();
    for (const f of schema.fields) if (f.sourceId !== undefined && schema.fields[f.sourceId]) hidden.add(schema.topOf(schema.fields[f.sourceId]!).id);
    for (const f of schema.topLevel()) {
      if (hidden.has(f.id)) continue;
      const node = schema.node(f, f.name);
      this.tops.set(f.name, node);
      for (const leaf of leaves(node)) {
        const info = this.describe(f, node, leaf);
        this.branches.push(info);
        this.outputs.set(info.name, { info, top: node });
      }
    }
  }

  /** Reads anchor, header, footer and all page lists (metadata only; no pages). */
  static async open(file: RootFile, key: Key): Promise<RNTuple> {
    const place: ErrorPlace = { file: file.name, object: key.name };
    const anchor = parseAnchor(await file.readKeyPayload(key), place);
    const size = await file.source.size();
    const envelope = async (offset: number, stored: number, length: number, what: string): Promise<Uint8Array> => {
      if (anchor.maxKeySize > 0 && stored > anchor.maxKeySize) throw tooLarge(what, stored, anchor.maxKeySize, { ...place, offset });
      if (offset < 0 || offset + stored > size) {
        throw new HepflowError("RNTUPLE_TRUNCATED", `${what} envelope at ${offset}+${stored} lies past the end of the file (${size} bytes); the file is truncated`, { ...place, offset });
      }
      return decompressAny(await file.source.read(offset, stored), length, { ...place, object: `${key.name} ${what}`, offset });
    };
    const header = parseHeader(await envelope(anchor.seekHeader, anchor.nbytesHeader, anchor.lenHeader, "header"), place);
    const footer = parseFooter(await envelope(anchor.seekFooter, anchor.nbytesFooter, anchor.lenFooter, "footer"), header, place);
    const clusters: ClusterInfo[] = [];
    let numEntries = 0;
    const lists = await Promise.all(footer.clusterGroups.map((g) => envelope(g.pageList.locator.offset, g.pageList.locator.size, g.pageList.length, "page list")));
    footer.clusterGroups.forEach((g, i) => {
      const list = parsePageList(lists[i]!, header, place);
      if (list.length !== g.numClusters) throw new HepflowError("RNTUPLE_CORRUPT", `cluster group ${i} announces ${g.numClusters} clusters, its page list has ${list.length}`, place);
      clusters.push(...list);
      numEntries = Math.max(numEntries, g.minEntry + g.entrySpan);
    });
    clusters.sort((a, b) => a.firstEntry - b.firstEntry);
    const schema = new Schema([header, footer.extension], place);
    fillSuppressed(clusters, schema);
    return new RNTuple(file, key.name, anchor, header, schema, clusters, numEntries);
  }

  clusterBoundaries(): number[] {
    return [...this.clusterStarts, this.numEntries];
  }

  /** The output columns named by exact names, top-level field names or globs. */
  private select(names?: string | readonly string[]): Set<string> {
    if (names === undefined) return new Set(this.outputs.keys());
    const list = typeof names === "string" ? [names] : names;
    const chosen = new Set<string>();
    for (const pattern of list) {
      const before = chosen.size;
      if (this.outputs.has(pattern)) chosen.add(pattern);
      else if (this.tops.has(pattern)) for (const p of outputPaths(this.tops.get(pattern)!)) chosen.add(p);
      else {
        const match = picomatch(pattern, { dot: true });
        for (const n of this.outputs.keys()) if (match(n)) chosen.add(n);
      }
      if (chosen.size === before && !this.outputs.has(pattern)) {
        const some = [...this.outputs.keys()].slice(0, 15).join(", ");
        throw new HepflowError("ROOT_NOT_FOUND", `no field matches "${pattern}"${didYouMean(pattern, [...this.outputs.keys(), ...this.tops.keys()])} (fields: ${some}${this.outputs.size > 15 ? ", ..." : ""})`, {
          file: this.file.name,
          object: this.name,
        });
      }
    }
    return chosen;
  }

  async arrays(names?: string | readonly string[], range: EntryRange = {}): Promise<Columns> {
    const chosen = this.select(names);
    const start = Math.max(0, range.entryStart ?? 0);
    const stop = Math.min(this.numEntries, range.entryStop ?? this.numEntries);
    const result: Columns = {};
    if (stop <= start) return this.empty(chosen);
    // Clusters overlapping [start, stop).
    const ids: number[] = [];
    this.clusters.forEach((c, i) => {
      if (c.firstEntry < stop && c.firstEntry + c.numEntries > start) ids.push(i);
    });
    // Only output columns that were asked for drive reading, but a whole top-level field's plan is walked.
    const tops = [...new Set([...chosen].map((n) => this.outputs.get(n)!.top))];
    const spans: Span[] = ids.map((i) => {
      const c = this.clusters[i]!;
      const from = Math.max(start, c.firstEntry),
        to = Math.min(stop, c.firstEntry + c.numEntries);
      return { skip: from - c.firstEntry, count: to - from, total: c.numEntries };
    });
    const wanted = (p: string) => chosen.has(p);
    const requests: PageRequest[] = [];
    for (const t of tops) pageRequests(t, wanted, 1, ids, spans, this.clusters, requests);
    const place = { file: this.file.name, object: this.name };
    for (const r of requests) {
      const range = this.clusters[r.clusterId]!.columns[r.column.id];
      const big = this.anchor.maxKeySize > 0 ? range?.pages.find((p) => p.locator.size > this.anchor.maxKeySize) : undefined;
      if (big) throw tooLarge(`page of column ${r.column.id}`, big.locator.size, this.anchor.maxKeySize, { ...place, offset: big.locator.offset });
    }
    const store = await PageStore.load(this.file.source, this.clusters, requests, place);
    const assembler = new Assembler(store, ids, place);
    const out = new Map<string, Column>();
    for (const t of tops) assembler.read(t, spans, wanted, out);
    for (const name of this.orderOf(chosen)) result[name] = out.get(name)!;
    return result;
  }

  async *iterate(names?: string | readonly string[], options: IterateOptions = {}): AsyncIterable<ColumnChunk> {
    const start = Math.max(0, options.entryStart ?? 0);
    const stop = Math.min(this.numEntries, options.entryStop ?? this.numEntries);
    const step = Math.max(1, options.stepSize ?? 100_000);
    const bounds = this.clusterBoundaries();
    let a = start;
    while (a < stop) {
      // Whole clusters up to one step; a cluster larger than a step is read once and handed out in slices,
      // so its pages are fetched and decoded once, not once per chunk.
      let b = Math.min(stop, bounds.find((x) => x > a) ?? stop);
      for (const x of bounds) if (x > b && x <= a + step && x <= stop) b = x;
      const columns = await this.arrays(names, { entryStart: a, entryStop: b });
      for (let s = a; s < b; s += step) {
        const e = Math.min(b, s + step);
        if (s === a && e === b) {
          yield { entryStart: a, entryStop: b, columns };
          break;
        }
        const trim = new Trimmer(s - a, e - a);
        const slice: Columns = {};
        for (const [name, col] of Object.entries(columns)) slice[name] = trim.column(col);
        yield { entryStart: s, entryStop: e, columns: slice };
      }
      a = b;
    }
  }

  private orderOf(chosen: Set<string>): string[] {
    return [...this.outputs.keys()].filter((n) => chosen.has(n));
  }

  private empty(chosen: Set<string>): Columns {
    const result: Columns = {};
    for (const name of this.orderOf(chosen)) {
      const leaf = findLeaf(this.outputs.get(name)!.top, name);
      result[name] = emptyColumn(leaf);
    }
    return result;
  }

  private describe(field: FieldDescriptor, top: FieldNode, leaf: { node: FieldNode; depth: FieldNode[] }): BranchInfo {
    const single = outputPaths(top).length === 1;
    // Types of columns split out of a larger field: the leaf type inside the collections above it.
    const wrapped = [...leaf.depth].reverse().reduce((t, n) => {
      if (n.kind === "collection") return `std::vector<${t}>`;
      if (n.kind === "array" && n.child.field !== n.field) return `std::array<${t},${n.size}>`;
      if (n.kind === "variant") return `std::optional<${t}>`;
      return t;
    }, leaf.node.field.typeName);
    const typeName = single ? field.typeName || wrapped : wrapped;
    const cols = new Set<ColumnDescriptor>();
    for (const n of [...leaf.depth, leaf.node]) for (const rep of n.reps) for (const c of rep) cols.add(c);
    let compressed = 0,
      uncompressed = 0;
    for (const cl of this.clusters) {
      for (const c of cols) {
        const r = cl.columns[c.id];
        if (!r || r.suppressed) continue;
        for (const p of r.pages) compressed += p.locator.size;
        uncompressed += Math.ceil((r.numElements * storageBits(c.type, c.bits)) / 8);
      }
    }
    // A bitset's array node and its items share one field: list its columns once.
    const chain = [...leaf.depth, leaf.node].filter((n, i, all) => all.findIndex((m) => m.field === n.field) === i);
    const reps = chain.map((n) => n.reps.map((r) => r.map((c) => columnTypeName(c.type, c.bits)).join("+")).join(" | ")).filter((s) => s);
    const detail = leaf.node.kind === "unsupported" ? `unsupported: ${leaf.node.reason}` : reps.join(" / ");
    const info: BranchInfo = { name: leaf.node.path, typeName, compressedBytes: compressed, uncompressedBytes: uncompressed, detail };
    const counter = this.counterFor(leaf.depth);
    if (counter) info.counter = counter;
    return info;
  }

  /** The cardinality field (NanoAOD's `nMuon`) that counts the innermost collection of a column, if the file has one. */
  private counterFor(depth: FieldNode[]): string | undefined {
    const coll = [...depth].reverse().find((n) => n.kind === "collection");
    if (!coll) return undefined;
    const source = coll.field.sourceId ?? coll.field.id;
    for (const f of this.schema.topLevel()) {
      if (f.sourceId === source && /RNTupleCardinality/.test(f.typeName)) return f.name;
    }
    return undefined;
  }
}

/** Opens an RNTuple from its anchor key. */
export async function openRNTuple(file: RootFile, key: Key): Promise<RNTuple> {
  return RNTuple.open(file, key);
}

/** Blocks larger than the anchor's maximum key size are split over several keys, which this reader does not join. */
function tooLarge(what: string, size: number, max: number, place: ErrorPlace): HepflowError {
  return new HepflowError("ROOT_UNSUPPORTED", `${what} has ${size} bytes, more than the maximum key size ${max}: blocks split over several keys are not supported`, place);
}

/** Suppressed columns carry no element offset/count: take them from the primary representation's column at the same position. */
function fillSuppressed(clusters: ClusterInfo[], schema: Schema): void {
  for (const f of schema.fields) {
    const reps = schema.representations(f);
    if (reps.length < 2) continue;
    for (const cl of clusters) {
      for (let pos = 0; pos < reps[0]!.length; pos++) {
        const primary = reps.map((r) => cl.columns[r[pos]!.id]).find((r) => r && !r.suppressed);
        if (!primary) continue;
        for (const r of reps) {
          const range = cl.columns[r[pos]!.id];
          if (range?.suppressed) {
            range.firstElement = primary.firstElement;
            range.numElements = primary.numElements;
          }
        }
      }
    }
  }
}

/** Every leaf (output column) under a node with the chain of nodes above it. */
function leaves(node: FieldNode, depth: FieldNode[] = []): { node: FieldNode; depth: FieldNode[] }[] {
  switch (node.kind) {
    case "record":
      return node.children.flatMap((c) => leaves(c, [...depth, node]));
    case "variant":
      return node.children.flatMap((c) => leaves(c, [...depth, node]));
    case "collection":
    case "array":
      return leaves(node.child, [...depth, node]);
    default:
      return [{ node, depth }];
  }
}

/**
 * The pages a read needs. Columns whose elements follow the entries (not inside a collection or variant;
 * `mult` elements per entry) are cut to the entry range, index columns one element earlier for the start
 * offset. Columns inside collections and variants are read for whole clusters: which of their elements
 * are needed is only known from the decoded parent.
 */
function pageRequests(node: FieldNode, wanted: (p: string) => boolean, mult: number | null, ids: number[], spans: Span[], clusters: ClusterInfo[], out: PageRequest[]): void {
  if (!anyWanted(node, wanted)) return;
  const request = (col: ColumnDescriptor, aligned: boolean, isIndex: boolean): void => {
    ids.forEach((clusterId, k) => {
      const range = clusters[clusterId]!.columns[col.id];
      if (!aligned || mult === null || !range) {
        out.push({ clusterId, column: col });
        return;
      }
      const span = spans[k]!;
      const lead = span.total! * mult - range.numElements;
      const from = Math.max(0, span.skip * mult - (isIndex ? 1 : 0) - lead);
      const to = Math.max(0, (span.skip + span.count) * mult - lead);
      out.push({ clusterId, column: col, from, to });
    });
  };
  switch (node.kind) {
    case "leaf":
    case "cardinality":
      for (const rep of node.reps) request(rep[0]!, true, node.kind === "cardinality");
      return;
    case "string":
      for (const rep of node.reps) {
        request(rep[0]!, true, true);
        request(rep[1]!, false, false);
      }
      return;
    case "collection":
      for (const rep of node.reps) request(rep[0]!, true, true);
      pageRequests(node.child, wanted, null, ids, spans, clusters, out);
      return;
    case "array":
      pageRequests(node.child, wanted, mult === null ? null : mult * node.size, ids, spans, clusters, out);
      return;
    case "record":
      for (const c of node.children) pageRequests(c, wanted, mult, ids, spans, clusters, out);
      return;
    case "variant":
      for (const rep of node.reps) request(rep[0]!, false, false);
      for (const c of node.children) pageRequests(c, wanted, null, ids, spans, clusters, out);
      return;
    case "unsupported":
      return;
  }
}

function findLeaf(top: FieldNode, name: string): { node: FieldNode; depth: FieldNode[] } {
  return leaves(top).find((l) => l.node.path === name)!;
}

function emptyColumn(leaf: { node: FieldNode; depth: FieldNode[] }): Column {
  const n = leaf.node;
  let col: Column = n.kind === "string" ? [] : n.kind === "leaf" || n.kind === "cardinality" ? emptyArray(n.out) : new Float64Array(0);
  for (const d of [...leaf.depth].reverse()) {
    if (d.kind === "collection" || d.kind === "array" || d.kind === "variant") col = new Jagged(new Int32Array(1), col);
  }
  return col;
}

function emptyArray(kind: string): NumericArray {
  switch (kind) {
    case "u8":
      return new Uint8Array(0);
    case "i8":
      return new Int8Array(0);
    case "i16":
      return new Int16Array(0);
    case "u16":
      return new Uint16Array(0);
    case "i32":
      return new Int32Array(0);
    case "u32":
      return new Uint32Array(0);
    case "i64":
      return new BigInt64Array(0);
    case "u64":
      return new BigUint64Array(0);
    case "f32":
      return new Float32Array(0);
    default:
      return new Float64Array(0);
  }
}
