/**
 * The transformer: one input file → one output file. Opens the file, checks the query against
 * its tree's schema, runs the query's column kernels chunk by chunk and streams the rows into a
 * ROOT TTree named `servicex` (as ServiceX's transformers name it). Jagged columns of one
 * collection share one counter branch (`n<prefix>`), as NanoAOD does. Every failure is tagged
 * with the stage it happened in, so the user learns which file failed, where, and why.
 */
import * as fs from "node:fs";
import { HepflowError } from "../util/index.js";
import { openFile, createFile, type BranchSpec, type TreeLike } from "../root/index.js";
import { ColumnarWriter } from "./columnar.js";
import { parseQueryText, CompiledQuery, queryTree, type PlanColumn, type QueryChunk } from "../query/index.js";

/** What one task does: which file, which tree, which query, where the output goes. */
export interface TransformJob {
  input: string;
  tree: string | null;
  selection: string;
  format: "root-file" | "parquet" | "arrow";
  output: string;
}

export interface TransformResult {
  events: number;
  rows: number;
  bytes: number;
}

/** A failure with the stage it happened in (open, schema, read, write). */
export class StageError extends Error {
  constructor(
    readonly stage: string,
    message: string,
    readonly retriable: boolean,
  ) {
    super(message);
  }
}

async function stage<T>(name: string, retriable: boolean, f: () => Promise<T> | T): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof StageError) throw e;
    throw new StageError(name, e instanceof Error ? e.message : String(e), retriable);
  }
}

/** Counter branch names for the collections of the output: `el_pt`, `el_eta` → `nel`. */
export function counters(columns: readonly PlanColumn[]): Map<string, string> {
  const byAxis = new Map<string, string[]>();
  for (const c of columns)
    if (c.shape === "jagged") {
      const key = c.axis === "std::vector" || c.axis === null ? `own:${c.name}` : c.axis;
      (byAxis.get(key) ?? byAxis.set(key, []).get(key)!).push(c.name);
    }
  const taken = new Set(columns.map((c) => c.name));
  const out = new Map<string, string>();
  for (const names of byAxis.values()) {
    let prefix = names.reduce((p, n) => {
      let i = 0;
      while (i < p.length && p[i] === n[i]) i++;
      return p.slice(0, i);
    });
    prefix = prefix.replace(/[_.]+$/, "");
    let counter = `n${prefix || names[0]}`.replace(/[^A-Za-z0-9_]/g, "_");
    while (taken.has(counter)) counter += "_count";
    taken.add(counter);
    for (const n of names) out.set(n, counter);
  }
  return out;
}

/** Runs one job; the output file appears (renamed into place) only when complete. */
export async function transformFile(job: TransformJob, onEvents?: (events: number) => void): Promise<TransformResult> {
  const file = await stage("open", true, () => openFile(job.input));
  try {
    const ast = await stage("schema", false, () => parseQueryText(job.selection));
    const treeName = job.tree ?? queryTree(ast);
    const tree = await stage("open", false, async () => {
      if (treeName) return file.tree(treeName);
      const trees = (await file.keys()).filter((k) => k.className === "TTree" || /RNTuple$/.test(k.className));
      const [first] = trees;
      if (first === undefined) throw new HepflowError("SERVICE_NO_TREE", "the file holds no TTree or RNTuple");
      return file.tree(first.path);
    });
    const query = await stage("schema", false, () => new CompiledQuery(ast, tree.branches, job.selection));
    const cols = query.plan.columns;
    if (query.plan.aggregate) throw new StageError("schema", `the service delivers columns; .${query.plan.aggregate.op}() of the whole dataset is computed by the client from them`, false);
    const counterOf = counters(cols);
    const tmp = `${job.output}.part-${process.pid}-${Date.now()}`;
    let rows = 0,
      events = 0;
    try {
      if (job.format === "root-file") ({ rows, events } = await writeRoot(query, tree, counterOf, tmp, onEvents));
      else {
        const w = await ColumnarWriter.create(job.format);
        ({ rows, events } = await eachOutput(query, tree, (out) => stage("write", false, () => w.write(out.columns, out.types, out.rows)), onEvents));
        await stage("write", false, () => w.close(tmp));
      }
    } catch (e) {
      try {
        fs.rmSync(tmp, { force: true });
      } catch {
        /* already gone */
      }
      throw e instanceof StageError ? e : new StageError("read", (e as Error).message, true);
    }
    fs.renameSync(tmp, job.output);
    return { events, rows, bytes: fs.statSync(job.output).size };
  } finally {
    await file.close();
  }
}

/** Streams the query's output into a TTree `servicex` in a new ROOT file at `tmp`. */
async function writeRoot(query: CompiledQuery, tree: TreeLike, counterOf: Map<string, string>, tmp: string, onEvents?: (events: number) => void): Promise<{ rows: number; events: number }> {
  const cols = query.plan.columns;
  const w = await stage("write", false, () => createFile(tmp, { compression: "zstd:5" }));
  try {
    let writer: ReturnType<typeof w.writeTree> | null = null;
    const counts = await eachOutput(
      query,
      tree,
      async (out) => {
        if (!writer) {
          const schema: BranchSpec[] = [];
          const seen = new Set<string>();
          for (const c of cols) {
            const counter = counterOf.get(c.name);
            if (counter && !seen.has(counter)) {
              seen.add(counter);
              schema.push({ name: counter, type: "i32" });
            }
            const type = out.types[c.name];
            if (type === undefined) throw new HepflowError("SERVICE_OUTPUT", `column "${c.name}" has no output type`, { object: c.name });
            schema.push({ name: c.name, type: leafType(out.columns[c.name], type), ...(counter ? { counter } : {}) });
          }
          writer = w.writeTree("servicex", schema, { title: "hepflow delivery" });
        }
        await stage("write", false, () => writer!.write(out.columns));
      },
      onEvents,
    );
    if (!writer)
      w.writeTree(
        "servicex",
        cols.map((c) => ({ name: c.name, type: "f64" as const })),
        { title: "hepflow delivery" },
      );
    await stage("write", false, () => w.close());
    return counts;
  } catch (e) {
    w.abort();
    throw e;
  }
}

/** Runs the query over the tree chunk by chunk, handing each output chunk to `f`. */
async function eachOutput(query: CompiledQuery, tree: TreeLike, f: (out: QueryChunk) => Promise<unknown> | unknown, onEvents?: (events: number) => void): Promise<{ rows: number; events: number }> {
  let rows = 0,
    events = 0;
  for await (const chunk of tree.iterate(query.branches.length ? query.branches : undefined, { stepSize: 200_000 })) {
    if (query.done) break;
    const n = chunk.entryStop - chunk.entryStart;
    const out = await stage("transform", false, () => query.evaluate(chunk.columns, n, chunk.entryStart));
    events += n;
    rows += out.rows;
    await f(out);
    onEvents?.(events);
  }
  return { rows, events };
}

/** The leaf type of an output column (integer columns that had to hold NaN became float64). */
function leafType(c: unknown, t: string): BranchSpec["type"] {
  const data = c && typeof c === "object" && "content" in c ? (c as { content: unknown }).content : c;
  if (t === "bool") return "bool";
  if (data instanceof Float32Array) return "f32";
  if (data instanceof Int32Array) return "i32";
  return "f64";
}
