/** Input rows for `hepflow predict` (and `hepflow train`): JSON or CSV tables, or flat branches of a ROOT tree. */
import { readFile } from "node:fs/promises";
import { HepflowError } from "../../util/index.js";

export interface RowsRequest {
  features?: string[];
  tree?: string;
  limit?: number;
  nFeatures?: number;
}
export interface Rows {
  features: string[];
  columns: Float64Array[];
  rows: number;
}

/** Read a table (.json: array of objects or of arrays; .csv with a header) or `file.root[:tree]`. */
export async function readRows(input: string, req: RowsRequest = {}): Promise<Rows> {
  const m = /^(.*\.root)(?::(.+))?$/i.exec(input);
  if (m?.[1] !== undefined) return readRoot(m[1], m[2] ?? req.tree ?? "Events", req);
  let text: string;
  try {
    text = await readFile(input, "utf8");
  } catch (e) {
    throw new HepflowError("PREDICT_NO_INPUT", `cannot read the input (${(e as Error).message})`, { file: input }, { cause: e });
  }
  const table = input.toLowerCase().endsWith(".csv") ? parseCsv(text, input) : parseJsonTable(text, input);
  return pick(table, req, input);
}

type Table = { header?: string[]; rows: number[][] };

function parseJsonTable(text: string, file: string): Table {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new HepflowError("PREDICT_BAD_INPUT", `not valid JSON (${(e as Error).message})`, { file }, { cause: e });
  }
  if (v && typeof v === "object" && !Array.isArray(v) && Array.isArray((v as { rows?: unknown }).rows)) v = (v as { rows: unknown }).rows;
  if (!Array.isArray(v)) throw new HepflowError("PREDICT_BAD_INPUT", "expected an array of rows (objects or arrays of numbers)", { file });
  if (v.length && !Array.isArray(v[0])) {
    const header = Object.keys(v[0] as object);
    return { header, rows: v.map((o, i) => header.map((h) => num((o as Record<string, unknown>)[h], file, `[${i}].${h}`))) };
  }
  return {
    rows: v.map((r, i) => {
      if (!Array.isArray(r)) throw new HepflowError("PREDICT_BAD_INPUT", "rows mix arrays and objects", { file, object: `[${i}]` });
      return r.map((x, j) => num(x, file, `[${i}][${j}]`));
    }),
  };
}

/** null / "" / "nan" mean a missing value (NaN), which tree models route by their default direction. */
function num(x: unknown, file: string, object: string): number {
  if (x === null || x === "" || (typeof x === "string" && /^nan$/i.test(x.trim()))) return NaN;
  const n = typeof x === "number" ? x : typeof x === "string" ? Number(x) : NaN;
  if (Number.isNaN(n)) throw new HepflowError("PREDICT_BAD_INPUT", `value ${JSON.stringify(x)} is not a number`, { file, object });
  return n;
}

function parseCsv(text: string, file: string): Table {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "" && !l.startsWith("#"));
  const [firstLine] = lines;
  if (firstLine === undefined) return { rows: [] };
  const first = firstLine.split(",").map((s) => s.trim());
  const hasHeader = first.some((s) => s !== "" && Number.isNaN(Number(s)) && !/^nan$/i.test(s));
  const body = hasHeader ? lines.slice(1) : lines;
  const width = first.length;
  return {
    header: hasHeader ? first : undefined,
    rows: body.map((l, i) => {
      const cells = l.split(",");
      if (cells.length !== width) throw new HepflowError("PREDICT_BAD_INPUT", `line has ${cells.length} fields, the first has ${width}`, { file, object: `line ${i + (hasHeader ? 2 : 1)}` });
      return cells.map((c, j) => num(c.trim(), file, `line ${i + (hasHeader ? 2 : 1)}, column ${j + 1}`));
    }),
  };
}

function pick(t: Table, req: RowsRequest, file: string): Rows {
  const rows = t.rows.slice(0, req.limit ?? t.rows.length);
  const header = t.header ?? (rows[0] ?? []).map((_, j) => `f${j}`);
  let idx: number[];
  if (req.features && t.header) {
    idx = req.features.map((f) => {
      const j = header.indexOf(f);
      if (j < 0) throw new HepflowError("PREDICT_NO_FEATURE", `no column "${f}" (columns: ${header.join(", ")})`, { file });
      return j;
    });
  } else idx = header.map((_, j) => j);
  if (req.nFeatures !== undefined && idx.length !== req.nFeatures) throw new HepflowError("PREDICT_NO_FEATURE", `the model takes ${req.nFeatures} features but the input gives ${idx.length}; name them with --features a,b,c`, { file });
  const columns = idx.map((j) =>
    Float64Array.from(rows, (r, i) => {
      const v = r[j];
      if (r.length !== header.length || v === undefined) throw new HepflowError("PREDICT_BAD_INPUT", `row has ${r.length} values, expected ${header.length}`, { file, object: `row ${i}` });
      return v;
    }),
  );
  // idx picks req.features out of the header, in their order, or takes the whole header
  return { features: req.features && t.header ? req.features : header, columns, rows: rows.length };
}

async function readRoot(path: string, treeName: string, req: RowsRequest): Promise<Rows> {
  const { openFile } = await import("../../root/index.js");
  const { isJagged } = await import("../../util/index.js");
  if (!req.features?.length) throw new HepflowError("PREDICT_NO_FEATURE", "name the branches to use with --features a,b,c (the model stores no feature names)", { file: path });
  const file = await openFile(path);
  try {
    const tree = await file.tree(treeName);
    const stop = Math.min(tree.numEntries, req.limit ?? tree.numEntries);
    const cols = await tree.arrays(req.features, { entryStart: 0, entryStop: stop });
    const columns = req.features.map((f) => {
      const c = cols[f];
      if (c === undefined) throw new HepflowError("PREDICT_NO_FEATURE", `no branch "${f}"`, { file: path, object: treeName });
      if (isJagged(c) || !ArrayBuffer.isView(c)) throw new HepflowError("PREDICT_BAD_INPUT", `branch "${f}" is not a flat numeric branch (one value per entry)`, { file: path, object: treeName });
      return Float64Array.from(c as unknown as ArrayLike<number>);
    });
    if (req.nFeatures !== undefined && columns.length !== req.nFeatures) throw new HepflowError("PREDICT_NO_FEATURE", `the model takes ${req.nFeatures} features, --features names ${columns.length}`, { file: path });
    return { features: req.features, columns, rows: stop };
  } finally {
    await file.close();
  }
}
