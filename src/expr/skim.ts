/**
 * Skims (NanoAOD-tools' preselection step, RDataFrame's Filter + Define + Snapshot): stream the
 * events of one or more trees, keep those passing a cut, keep the chosen branches and add defined
 * columns, and write them as a TTree or an RNTuple. NanoAOD collections stay collections: a kept
 * `Jet_*` branch brings its counter `nJet`, and all columns of one collection are filtered with the
 * same offsets so they keep sharing them. Memory: one chunk of the inputs plus one cluster/basket
 * set of the output. Several inputs are merged into one output in the order given.
 */
import { globMatcher as picomatch } from "#util/glob";
import { HepflowError, Jagged, claimOutputFile, type Column, type Columns, type NumericArray } from "../util/index.js";
import { createFile, type BranchSpec, type LeafType, type TreeLike } from "../root/index.js";
import { compile, type Expression } from "./compile.js";
import { toColumn, type Value } from "./values.js";

export interface SkimOptions {
  /** Event selection; an event-level expression (non-zero passes). Default: every event. */
  where?: string;
  /** Branch names or globs to keep (default: all); counters of kept collections are added. */
  branches?: readonly string[];
  /** New columns, in order: `name` = `expression` (later ones may not use earlier ones). */
  define?: readonly { name: string; expression: string }[];
  /**
   * New columns computed by code (a model's score: NanoAOD-tools' "friend" modules), after the
   * defines: `compute` gets the chunk's columns (at least `branches`) and returns one value per
   * event, or a collection sharing the offsets of one input collection; give that collection's
   * counter (`nJet`) as `counter` so the branch is written NanoAOD-style (`Jet_score[nJet]`).
   */
  computed?: readonly ComputedColumn[];
  /** Output tree or RNTuple name (default: the first input's). */
  treeName?: string;
  format?: "ttree" | "rntuple";
  compression?: string;
  /** Entries per read chunk (default 100 000). */
  stepSize?: number;
  force?: boolean;
  /** Paths of the inputs, so the output is refused when it is one of them. */
  inputPaths?: readonly string[];
}

/** A column computed by code during a skim; see {@link SkimOptions.computed}. */
export interface ComputedColumn {
  name: string;
  branches: readonly string[];
  counter?: string;
  compute(columns: Columns, entries: number): Column | Promise<Column>;
}

export interface SkimResult {
  entriesIn: number;
  entriesOut: number;
  branches: string[];
}

/** Writes the selected events of `trees` (same branches in each) to `output`. */
export async function skim(trees: readonly TreeLike[], output: string, options: SkimOptions = {}): Promise<SkimResult> {
  if (!trees.length) throw new HepflowError("SKIM_INPUT", "skim needs at least one input tree");
  claimOutputFile(output, { force: options.force, inputs: [...(options.inputPaths ?? [])] });
  const first = trees[0]!;
  const infos = new Map(first.branches.map((b) => [b.name, b]));
  const keep = selectBranches(first, options.branches);
  const cut = options.where ? compile(options.where, first.branches) : undefined;
  const defines = (options.define ?? []).map((d) => {
    if (infos.has(d.name) || keep.includes(d.name)) throw new HepflowError("SKIM_DEFINE", `--define ${d.name}: a branch of that name exists already`, { object: d.name });
    return { name: d.name, expr: compile(d.expression, first.branches) };
  });
  const computed = options.computed ?? [];
  for (const c of computed) {
    if (infos.has(c.name) || defines.some((d) => d.name === c.name)) throw new HepflowError("SKIM_DEFINE", `computed column ${c.name}: a branch of that name exists already`, { object: c.name });
    if (c.counter && !keep.includes(c.counter)) throw new HepflowError("SKIM_DEFINE", `computed column ${c.name}: its counter ${c.counter} is not among the kept branches`, { object: c.name });
    for (const b of c.branches) if (!infos.has(b)) throw new HepflowError("SKIM_INPUT", `computed column ${c.name} reads ${b}, which ${first.name} does not have`, { object: c.name });
  }
  const newNames = [...defines.map((d) => d.name), ...computed.map((c) => c.name)];
  const schemaInfos = new Map<string, { typeName: string; counter?: string }>([...infos, ...computed.filter((c) => c.counter).map((c) => [c.name, { typeName: "", counter: c.counter }] as const)]);
  const read = [...new Set([...keep, ...(cut?.branches ?? []), ...defines.flatMap((d) => d.expr.branches), ...computed.flatMap((c) => c.branches)])];
  const writer = await createFile(output, { compression: options.compression ?? "zlib:1" });
  let out: { write(c: Columns): void } | undefined;
  let entriesIn = 0,
    entriesOut = 0;
  try {
    for (const tree of trees) {
      for (const name of read) if (!tree.branches.some((b) => b.name === name)) throw new HepflowError("SKIM_INPUT", `branch ${name} is missing from one of the inputs`, { object: tree.name });
      for await (const chunk of tree.iterate(read, { stepSize: options.stepSize ?? 100_000 })) {
        const n = chunk.entryStop - chunk.entryStart;
        entriesIn += n;
        const context = { entryStart: chunk.entryStart, entries: n, totalEntries: tree.numEntries };
        const pass = cut ? mask(cut, cut.evaluate(chunk.columns, context), n) : undefined;
        const cols: Columns = {};
        const filtered = new Map<Int32Array, { offsets: Int32Array; ranges: Int32Array }>();
        for (const name of keep) cols[name] = pass ? select(chunk.columns[name]!, pass, filtered) : chunk.columns[name]!;
        for (const d of defines) {
          const col = toColumn(d.expr.evaluate(chunk.columns, context), n);
          cols[d.name] = pass ? select(col, pass, filtered) : col;
        }
        for (const c of computed) {
          const col = await c.compute(chunk.columns, n);
          checkComputed(c, col, n, chunk.columns);
          cols[c.name] = pass ? select(col, pass, filtered) : col;
        }
        out ??= open(writer, options.treeName ?? first.name, options.format ?? "ttree", schemaOf(cols, keep, newNames, schemaInfos));
        out.write(cols);
        entriesOut += pass ? countTrue(pass) : n;
      }
    }
    if (!out) {
      // No entries at all: the types still come from the (empty) arrays, so the output has the right branches.
      const cols = await first.arrays(read, { entryStart: 0, entryStop: 0 });
      for (const d of defines) cols[d.name] = toColumn(d.expr.evaluate(cols, { entryStart: 0, entries: 0 }), 0);
      for (const c of computed) cols[c.name] = await c.compute(cols, 0);
      open(writer, options.treeName ?? first.name, options.format ?? "ttree", schemaOf(cols, keep, newNames, schemaInfos));
    }
    await writer.close();
  } catch (e) {
    writer.abort();
    throw e;
  }
  return { entriesIn, entriesOut, branches: [...keep, ...newNames] };
}

/** A computed column has one value per event, or is a collection on the offsets of its counter's collection. */
function checkComputed(c: ComputedColumn, col: Column, n: number, cols: Columns): void {
  if (col instanceof Jagged) {
    if (col.length !== n) throw new HepflowError("SKIM_DEFINE", `computed column ${c.name} has ${col.length} events, the chunk ${n}`, { object: c.name });
    if (c.counter) {
      const sibling = Object.entries(cols).find(([k, v]) => v instanceof Jagged && v.offsets === col.offsets && k !== c.name);
      const counter = cols[c.counter] as ArrayLike<number> | undefined;
      for (let i = 0; !sibling && counter && i < n; i++) {
        if (col.offsets[i + 1]! - col.offsets[i]! !== counter[i])
          throw new HepflowError("SKIM_DEFINE", `computed column ${c.name} has ${col.offsets[i + 1]! - col.offsets[i]!} values in event ${i}, ${c.counter} says ${counter[i]}`, { object: c.name });
      }
    }
  } else if ((col as ArrayLike<unknown>).length !== n) throw new HepflowError("SKIM_DEFINE", `computed column ${c.name} has ${(col as ArrayLike<unknown>).length} values, the chunk ${n} events`, { object: c.name });
}

function open(writer: Awaited<ReturnType<typeof createFile>>, name: string, format: "ttree" | "rntuple", schema: BranchSpec[]): { write(c: Columns): void } {
  return format === "rntuple" ? writer.writeRNTuple(name, schema) : writer.writeTree(name, schema);
}

/** Kept branches: all, or those matching a name/glob, plus the counters of kept collections. */
function selectBranches(tree: TreeLike, patterns: readonly string[] | undefined): string[] {
  const names = tree.branches.map((b) => b.name);
  let picked: Set<string>;
  if (!patterns?.length) picked = new Set(names);
  else {
    picked = new Set();
    for (const p of patterns) {
      const test = /[*?[\]{}]/.test(p) ? picomatch(p) : (s: string) => s === p;
      const hit = names.filter((n) => test(n)); // not filter(test): a picomatch matcher takes a second argument
      if (!hit.length) throw new HepflowError("SKIM_BRANCHES", `--branches ${p} matches no branch of ${tree.name}`, { object: tree.name });
      for (const h of hit) picked.add(h);
    }
  }
  for (const b of tree.branches) if (picked.has(b.name) && b.counter && names.includes(b.counter)) picked.add(b.counter);
  // Input order, so a skim keeps the file's branch order.
  return names.filter((n) => picked.has(n));
}

function mask(cut: Expression, v: Value, n: number): Uint8Array {
  if (v.shape === "jagged") throw new HepflowError("SKIM_CUT", `the cut "${cut.source}" has one value per collection element; reduce it to one per event (any(...), all(...), count(...) > 0)`, { object: cut.source });
  const out = new Uint8Array(n);
  if (v.shape === "scalar") return out.fill(v.value ? 1 : 0);
  for (let i = 0; i < n; i++) out[i] = v.data[i] && (!v.valid || v.valid[i]) ? 1 : 0;
  return out;
}

function countTrue(m: Uint8Array): number {
  let c = 0;
  for (let i = 0; i < m.length; i++) c += m[i]!;
  return c;
}

/** The passing entries of a column; columns sharing offsets get one shared filtered offsets array. */
function select(c: Column, pass: Uint8Array, cache: Map<Int32Array, { offsets: Int32Array; ranges: Int32Array }>): Column {
  if (c instanceof Jagged) {
    let f = cache.get(c.offsets);
    if (!f) {
      const offsets = new Int32Array(countTrue(pass) + 1);
      const ranges: number[] = [];
      let k = 0;
      for (let i = 0; i < pass.length; i++) {
        if (!pass[i]) continue;
        const a = c.offsets[i]!,
          b = c.offsets[i + 1]!;
        offsets[k + 1] = offsets[k]! + b - a;
        k++;
        const last = ranges.length - 1;
        if (last > 0 && ranges[last] === a) ranges[last] = b;
        else ranges.push(a, b);
      }
      f = { offsets, ranges: Int32Array.from(ranges) };
      cache.set(c.offsets, f);
    }
    const content = c.content;
    if (content instanceof Jagged || Array.isArray(content)) throw new HepflowError("SKIM_BRANCHES", "nested collections are not skimmed");
    const num = content as NumericArray;
    const out = new (num.constructor as new (n: number) => NumericArray)(f.offsets[f.offsets.length - 1]!);
    let at = 0;
    for (let r = 0; r < f.ranges.length; r += 2) {
      const part = num.subarray(f.ranges[r]!, f.ranges[r + 1]!);
      (out as Float64Array).set(part as Float64Array, at);
      at += part.length;
    }
    return new Jagged(f.offsets, out);
  }
  const n = countTrue(pass);
  if (Array.isArray(c)) return c.filter((_, i) => pass[i]);
  const num = c as NumericArray;
  const out = new (num.constructor as new (n: number) => NumericArray)(n);
  for (let i = 0, k = 0; i < pass.length; i++) if (pass[i]) (out as Float64Array)[k++] = (num as Float64Array)[i]!;
  return out;
}

const LEAF: [abstract new (...args: never[]) => unknown, LeafType][] = [
  [Float32Array, "f32"],
  [Float64Array, "f64"],
  [Int8Array, "i8"],
  [Uint8Array, "u8"],
  [Int16Array, "i16"],
  [Uint16Array, "u16"],
  [Int32Array, "i32"],
  [Uint32Array, "u32"],
  [BigInt64Array, "i64"],
  [BigUint64Array, "u64"],
];

function leafType(a: unknown, bool: boolean, name: string): LeafType {
  const hit = LEAF.find(([C]) => a instanceof C);
  if (!hit) throw new HepflowError("SKIM_BRANCHES", `branch ${name}: nested collections and object branches are not skimmed`, { object: name });
  return bool && hit[1] === "u8" ? "bool" : hit[1];
}

/** Writer schema from a chunk's arrays: collections with a kept counter stay counted (NanoAOD), others are vectors. */
export function schemaOf(cols: Columns, keep: readonly string[], defined: readonly string[] = [], infos: ReadonlyMap<string, { typeName: string; counter?: string }> = new Map()): BranchSpec[] {
  const kept = new Set(keep);
  return [...keep, ...defined].map((name) => {
    const c = cols[name]!;
    const info = infos.get(name);
    const bool = /^(Bool_t|bool)\b|<bool>/.test(info?.typeName ?? "");
    if (Array.isArray(c)) return { name, type: "string" };
    if (c instanceof Jagged) {
      const type = leafType(c.content, bool, name);
      const counter = info?.counter;
      return counter && kept.has(counter) ? { name, type, counter } : { name, type, vector: true };
    }
    const type = leafType(c, bool, name);
    // The TTree writer wants counters as i32/u32; the readers deliver them so.
    return { name, type };
  });
}
