/**
 * Branch specs → RNTuple fields and physical columns, with ROOT's default column type per C++
 * type (RNTuple binary format 1.0, "default column representations"). Collections are written the
 * way RDataFrame's Snapshot lays them out: one collection field per branch (`std::vector<T>`; the
 * on-disk layout of `RVec<T>` is identical, but JSROOT 7.11 misreads fields typed `RVec`) and the
 * NanoAOD counter (`nJet`) as a plain integer field. Names with a dot
 * (`MET.pt`) become members of an untyped record field (`MET`), as the reader names them.
 */
import { HepflowError } from "../../../util/index.js";
import { ColumnType } from "../../rntuple/columntypes.js";
import type { BranchSpec, LeafType } from "../tree.js";

/** One field record as serialised into the header. */
export interface FieldRecord {
  parentId: number;
  /** 0 leaf, 1 collection, 2 record. */
  role: number;
  name: string;
  typeName: string;
}

/** One physical column record. */
export interface ColumnRecord {
  type: number;
  bits: number;
  fieldId: number;
}

/** How one input column feeds physical columns: values, or offsets + values. */
export interface ColumnFeed {
  spec: BranchSpec;
  kind: "scalar" | "string" | "collection";
  /** Physical column ids: [values] for scalars, [offsets, values] for strings and collections. */
  columns: number[];
}

export interface WriterSchema {
  fields: FieldRecord[];
  columns: ColumnRecord[];
  feeds: ColumnFeed[];
}

export const CPP_TYPE: Record<LeafType, string> = {
  bool: "bool",
  i8: "std::int8_t",
  u8: "std::uint8_t",
  i16: "std::int16_t",
  u16: "std::uint16_t",
  i32: "std::int32_t",
  u32: "std::uint32_t",
  i64: "std::int64_t",
  u64: "std::uint64_t",
  f32: "float",
  f64: "double",
};

/** ROOT's default (split, zigzag-for-signed) column type for each value type. */
export const DEFAULT_COLUMN: Record<LeafType, { type: number; bits: number }> = {
  bool: { type: ColumnType.Bit, bits: 1 },
  i8: { type: ColumnType.Int8, bits: 8 },
  u8: { type: ColumnType.UInt8, bits: 8 },
  i16: { type: ColumnType.SplitInt16, bits: 16 },
  u16: { type: ColumnType.SplitUInt16, bits: 16 },
  i32: { type: ColumnType.SplitInt32, bits: 32 },
  u32: { type: ColumnType.SplitUInt32, bits: 32 },
  i64: { type: ColumnType.SplitInt64, bits: 64 },
  u64: { type: ColumnType.SplitUInt64, bits: 64 },
  f32: { type: ColumnType.SplitReal32, bits: 32 },
  f64: { type: ColumnType.SplitReal64, bits: 64 },
};

const OFFSETS = { type: ColumnType.SplitIndex64, bits: 64 };
const CHARS = { type: ColumnType.Char, bits: 8 };

/** Builds fields and columns for `specs`, in the order given (records at their first member). */
export function buildSchema(specs: readonly BranchSpec[], place: { file: string; object: string }): WriterSchema {
  const fields: FieldRecord[] = [];
  const columns: ColumnRecord[] = [];
  const feeds: ColumnFeed[] = [];
  const records = new Map<string, number>();
  const seen = new Set<string>();
  const addField = (f: FieldRecord): number => {
    fields.push(f);
    return fields.length - 1;
  };
  const addColumn = (c: { type: number; bits: number }, fieldId: number): number => {
    columns.push({ ...c, fieldId });
    return columns.length - 1;
  };
  for (const spec of specs) {
    if (seen.has(spec.name)) throw new HepflowError("ROOT_WRITE", `field ${spec.name} appears twice in the schema`, place);
    seen.add(spec.name);
    if (spec.type !== "string" && !DEFAULT_COLUMN[spec.type]) throw new HepflowError("ROOT_WRITE", `field ${spec.name} has unknown type ${String(spec.type)}`, place);
    const dot = spec.name.indexOf(".");
    let parent = -1;
    let name = spec.name;
    if (dot > 0) {
      const rec = spec.name.slice(0, dot);
      name = spec.name.slice(dot + 1);
      if (!name || name.includes(".")) throw new HepflowError("ROOT_WRITE", `field ${spec.name}: records are one level deep (record.member)`, place);
      if (seen.has(rec)) throw new HepflowError("ROOT_WRITE", `field ${spec.name}: ${rec} is both a field and a record`, place);
      let id = records.get(rec);
      if (id === undefined) {
        id = fields.length;
        addField({ parentId: id, role: 2, name: rec, typeName: "" });
        records.set(rec, id);
      }
      parent = id;
    }
    if (records.has(spec.name)) throw new HepflowError("ROOT_WRITE", `field ${spec.name} is both a field and a record`, place);
    const self = fields.length;
    const parentId = parent < 0 ? self : parent;
    if (spec.type === "string") {
      if (spec.counter || spec.vector) throw new HepflowError("ROOT_WRITE", `field ${spec.name}: collections of strings are not written`, place);
      const id = addField({ parentId, role: 0, name, typeName: "std::string" });
      feeds.push({ spec, kind: "string", columns: [addColumn(OFFSETS, id), addColumn(CHARS, id)] });
    } else if (spec.counter || spec.vector) {
      const cpp = CPP_TYPE[spec.type];
      const id = addField({ parentId, role: 1, name, typeName: `std::vector<${cpp}>` });
      const off = addColumn(OFFSETS, id);
      const item = addField({ parentId: id, role: 0, name: "_0", typeName: cpp });
      feeds.push({ spec, kind: "collection", columns: [off, addColumn(DEFAULT_COLUMN[spec.type], item)] });
    } else {
      const id = addField({ parentId, role: 0, name, typeName: CPP_TYPE[spec.type] });
      feeds.push({ spec, kind: "scalar", columns: [addColumn(DEFAULT_COLUMN[spec.type], id)] });
    }
  }
  return { fields, columns, feeds };
}
