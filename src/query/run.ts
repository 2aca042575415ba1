/**
 * Runs a plan on a tree chunk by chunk: every expression is compiled once against the tree's
 * branches (expr/ → whole-column kernels), the event mask drops events from all output columns
 * at once (array/filterEvents), SelectMany flattens, Take stops early. Output columns keep the
 * language's types: booleans, 32-bit integers, float32 (as stored) or float64.
 */
import { HepflowError, Jagged, isJagged, type Column, type Columns } from "../util/index.js";
import { compile, toColumn, type Expression, type Value, type Kind } from "../expr/index.js";
import { filterEvents } from "../array/index.js";
import type { BranchInfo, TreeLike } from "../root/index.js";
import type { QNode } from "./ast.js";
import { translate, type Plan } from "./translate.js";
import { isUprootRaw } from "./uprootraw.js";

/** The element type of an output column, as a tree writer stores it. */
export type OutputType = "bool" | "i32" | "f32" | "f64";

/** One chunk of query output: named columns for `rows` rows. */
export interface QueryChunk {
  columns: Columns;
  rows: number;
  types: Record<string, OutputType>;
}

/** A query compiled against one tree's schema: run it on chunks of that tree's columns. */
export class CompiledQuery {
  readonly plan: Plan;
  /** The branches the query reads. */
  readonly branches: readonly string[];
  private readonly mask: Expression | null;
  private readonly exprs: { name: string; expr: Expression }[];
  private rowsLeft: number;

  constructor(query: QNode, schema: readonly BranchInfo[], source?: string) {
    this.plan = translate(query, schema, source);
    const descs = schema.map((b) => ({ name: b.name, typeName: b.typeName }));
    const wrap = (text: string, what: string): Expression => {
      try {
        return compile(text, descs);
      } catch (e) {
        if (this.plan.mask === text && isUprootRaw(query)) throw new HepflowError("QUERY_UPROOTRAW", `the cut: ${(e as Error).message}`, { object: "query" }, { cause: e });
        throw new HepflowError("QUERY_INTERNAL", `the query's ${what} did not compile to a column kernel: ${(e as Error).message}`, { object: "query" }, { cause: e });
      }
    };
    this.mask = this.plan.mask ? wrap(this.plan.mask, "event filter") : null;
    this.exprs = this.plan.columns.map((c) => ({ name: c.name, expr: wrap(c.expr, `column "${c.name}"`) }));
    this.branches = [...new Set([...(this.mask?.branches ?? []), ...this.exprs.flatMap((e) => e.expr.branches)])];
    this.rowsLeft = this.plan.take ?? Infinity;
  }

  /** True once Take(n) has produced its n rows. */
  get done(): boolean {
    return this.rowsLeft <= 0;
  }

  /** The output rows of one chunk of input (`n` events). */
  evaluate(input: Columns, n: number, entryStart = 0): QueryChunk {
    let rows = n;
    if (this.mask) {
      // drop the events first: the output expressions then run only on the events kept
      const keep = asMask(this.mask.evaluate(input, { entries: n, entryStart }), n);
      rows = countTrue(keep);
      if (rows !== n) {
        const used: Columns = {};
        for (const b of this.exprs.flatMap((e) => e.expr.branches)) {
          const col = input[b];
          if (col === undefined) throw new HepflowError("QUERY_TYPE", `branch "${b}" was not read`, { object: "query" });
          used[b] = col;
        }
        input = filterEvents(used, keep) as Columns;
      }
    }
    const ctx = { entries: rows, memo: new Map() };
    const types: Record<string, OutputType> = {};
    const columns: Columns = {};
    for (const { name, expr } of this.exprs) {
      const v = expr.evaluate(input, ctx);
      const type = outputType(v.kind);
      types[name] = type;
      columns[name] = fixType(toColumn(v, rows), type, name);
    }
    if (this.plan.flatten) {
      const first = Object.values(columns)[0];
      rows = first && isJagged(first) ? first.offsets[first.offsets.length - 1]! - first.offsets[0]! : 0;
      for (const [k, c] of Object.entries(columns)) columns[k] = isJagged(c) ? (c.content as Float64Array).slice(c.offsets[0]!, c.offsets[c.offsets.length - 1]!) : c;
    }
    if (rows > this.rowsLeft) {
      const m = this.rowsLeft;
      for (const [k, c] of Object.entries(columns)) columns[k] = sliceRows(c, m);
      rows = m;
    }
    this.rowsLeft -= rows;
    return { columns, rows, types };
  }
}

function countTrue(m: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < m.length; i++) s += m[i]!;
  return s;
}

function asMask(v: Value, n: number): Uint8Array {
  if (v.shape === "jagged") throw new HepflowError("QUERY_TYPE", "the event filter is one value per element, not per event", { object: "query" });
  const out = new Uint8Array(n);
  if (v.shape === "scalar") {
    out.fill(v.value ? 1 : 0);
    return out;
  }
  for (let i = 0; i < n; i++) out[i] = v.data[i]! && (v.valid === null || v.valid[i]) ? 1 : 0;
  return out;
}

function outputType(k: Kind): OutputType {
  return k === "bool" ? "bool" : k === "int" ? "i32" : k;
}

/** Integer results that hold NaN for missing values, or do not fit 32 bits, become float64. */
function fixType(c: Column, t: OutputType, name: string): Column {
  const data = isJagged(c) ? c.content : c;
  if (t === "i32" && !(data instanceof Int32Array)) {
    if (Array.isArray(data)) throw new HepflowError("QUERY_TYPE", `column "${name}" is not numeric`, { object: "query" });
    const conv = Float64Array.from(data as ArrayLike<number>);
    return isJagged(c) ? new Jagged(c.offsets, conv) : conv;
  }
  return c;
}

function sliceRows(c: Column, m: number): Column {
  if (isJagged(c)) {
    const offsets = c.offsets.slice(0, m + 1);
    return new Jagged(offsets, (c.content as Float64Array).slice(0, offsets[m]!));
  }
  return (c as Float64Array).slice(0, m);
}

/** Runs a query over a whole tree; yields output chunks (for aggregates use `aggregateQuery`). */
export async function* runQuery(tree: TreeLike, query: QNode, options: { stepSize?: number; source?: string } = {}): AsyncIterable<QueryChunk> {
  const q = new CompiledQuery(query, tree.branches, options.source);
  if (q.branches.length === 0) {
    // constant-only queries still produce one row per event
    for (let s = 0; s < tree.numEntries && !q.done; s += options.stepSize ?? 100_000) {
      const n = Math.min(options.stepSize ?? 100_000, tree.numEntries - s);
      yield q.evaluate({}, n, s);
    }
    return;
  }
  for await (const chunk of tree.iterate(q.branches, { stepSize: options.stepSize })) {
    if (q.done) break;
    yield q.evaluate(chunk.columns, chunk.entryStop - chunk.entryStart, chunk.entryStart);
  }
}

/** Runs an aggregate query (`.Count()`, `.Sum()`, `.Any(…)`, …) over a whole tree: one number or boolean. */
export async function aggregateQuery(tree: TreeLike, query: QNode, options: { stepSize?: number; source?: string } = {}): Promise<number | boolean | null> {
  const plan = translate(query, tree.branches, options.source);
  const agg = plan.aggregate;
  if (!agg) throw new HepflowError("QUERY_TYPE", "this query returns columns, not one value; run it with runQuery", { object: "query" });
  let count = 0,
    sum = 0,
    min = Infinity,
    max = -Infinity,
    any = false,
    all = true;
  let picked: number | null = null,
    last: number | null = null;
  const want = agg.op === "First" ? 0 : agg.op === "ElementAt" ? agg.index! : -1;
  for await (const chunk of runQuery(tree, query, options)) {
    const c = Object.values(chunk.columns)[0];
    if (c === undefined || isJagged(c) || Array.isArray(c)) throw new HepflowError("QUERY_TYPE", `.${agg.op}() needs one number per row`, { object: "query" });
    const data = c as ArrayLike<number>;
    for (let i = 0; i < chunk.rows; i++) {
      const v = data[i]!;
      if (count === want) picked = v;
      sum += v;
      if (v < min) min = v;
      if (v > max) max = v;
      if (v) any = true;
      else all = false;
      last = v;
      count++;
    }
  }
  switch (agg.op) {
    case "Count":
      return count;
    case "Sum":
      return sum;
    case "Min":
      return count ? min : null;
    case "Max":
      return count ? max : null;
    case "First":
    case "ElementAt":
      if (picked === null) throw new HepflowError("QUERY_EMPTY_RESULT", `.${agg.op}() of a sequence with ${count} rows`, { object: "query" });
      return picked;
    case "Last":
      if (last === null) throw new HepflowError("QUERY_EMPTY_RESULT", ".Last() of an empty sequence", { object: "query" });
      return last;
    case "Any":
    case "Contains":
      return any;
    case "All":
      return all;
  }
}
