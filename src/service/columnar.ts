/**
 * Parquet and Arrow IPC outputs. Columns become Arrow vectors without copying the numbers:
 * per-event values as Float32/Float64/Int32/Bool, collections as List<…> over the same offsets
 * and content (NanoAOD collections stay jagged). Arrow IPC is written with apache-arrow (the
 * Apache project's own JS implementation); Parquet with parquet-wasm (arrow-rs's Parquet writer
 * compiled to WebAssembly; Snappy, pyarrow's default, which every Parquet reader decodes), fed the same Arrow data.
 */
import * as fs from "node:fs";
import { HepflowError, isJagged, type Column, type Columns } from "../util/index.js";
import type { OutputType } from "../query/index.js";

type Arrow = typeof import("apache-arrow");

function packBits(m: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(Math.ceil(m.length / 8));
  for (let i = 0; i < m.length; i++) if (m[i]) out[i >> 3]! |= 1 << (i & 7);
  return out;
}

function arrowType(a: Arrow, t: OutputType, data: unknown) {
  if (t === "bool") return new a.Bool();
  if (data instanceof Float32Array) return new a.Float32();
  if (data instanceof Int32Array) return new a.Int32();
  return new a.Float64();
}

function leafData(a: Arrow, t: OutputType, data: ArrayLike<number>) {
  const type = arrowType(a, t, data);
  if (t === "bool") return a.makeData({ type: type as InstanceType<Arrow["Bool"]>, length: data.length, data: packBits(data) });
  const typed = data instanceof Float32Array || data instanceof Int32Array || data instanceof Float64Array ? data : Float64Array.from(data);
  return a.makeData({ type: type as InstanceType<Arrow["Float64"]>, length: typed.length, data: typed as Float64Array });
}

/** Collects output chunks and writes them as one Arrow IPC or Parquet file. */
export class ColumnarWriter {
  private readonly batches: unknown[] = [];
  private constructor(
    private readonly a: Arrow,
    private readonly format: "arrow" | "parquet",
  ) {}

  static async create(format: "arrow" | "parquet"): Promise<ColumnarWriter> {
    return new ColumnarWriter(await import("apache-arrow"), format);
  }

  /** Adds one chunk of rows. */
  write(columns: Columns, types: Record<string, OutputType>, rows: number): void {
    const a = this.a;
    const fields: InstanceType<Arrow["Field"]>[] = [];
    const children = [];
    for (const [name, c] of Object.entries(columns) as Array<[string, Column]>) {
      const type = types[name];
      // the query compiler gives every column it produces a type; a column without one is a bug here
      if (type === undefined) throw new HepflowError("SERVICE_OUTPUT", `column "${name}" has no output type (types: ${Object.keys(types).join(", ")})`, { object: name });
      if (isJagged(c)) {
        let offsets = c.offsets,
          content = c.content as unknown as ArrayLike<number> & { subarray(a: number, b: number): ArrayLike<number> };
        const [o0, end] = [offsets[0], offsets.at(-1)];
        if (o0 !== undefined && end !== undefined && o0 !== 0) {
          content = content.subarray(o0, end) as typeof content;
          offsets = offsets.map((x) => x - o0);
        }
        const child = leafData(a, type, content);
        const list = new a.List(new a.Field("item", child.type, false));
        fields.push(new a.Field(name, list, false));
        children.push(a.makeData({ type: list, length: rows, valueOffsets: offsets, child }));
      } else {
        const d = leafData(a, type, c as ArrayLike<number>);
        fields.push(new a.Field(name, d.type, false));
        children.push(d);
      }
    }
    const struct = a.makeData({ type: new a.Struct(fields), length: rows, children });
    this.batches.push(new a.RecordBatch(new a.Schema(fields), struct));
  }

  /** Writes the file (to a temporary name, renamed into place by the caller). */
  async close(path: string): Promise<void> {
    const a = this.a;
    const table = new a.Table(this.batches as InstanceType<Arrow["RecordBatch"]>[]);
    if (this.format === "arrow") {
      fs.writeFileSync(path, a.tableToIPC(table, "file"));
      return;
    }
    const pw = await import("parquet-wasm/node");
    const props = new pw.WriterPropertiesBuilder().setCompression(pw.Compression.SNAPPY).build();
    fs.writeFileSync(path, pw.writeParquet(pw.Table.fromIPCStream(a.tableToIPC(table, "stream")), props));
  }
}
