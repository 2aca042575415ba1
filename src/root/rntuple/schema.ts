import { HepflowError, type ErrorPlace } from "../../util/index.js";
import type { ArrayKind } from "./columntypes.js";
import { isIndexColumn, isKnownColumnType, columnTypeName, ColumnType } from "./columntypes.js";
import type { ColumnDescriptor, FieldDescriptor, SchemaDescription } from "./metadata.js";

/** Structural roles of fields (binary format 1.0). */
export enum Role {
  Leaf = 0,
  Collection = 1,
  Record = 2,
  Variant = 3,
  Streamer = 4,
}

/**
 * How one field is read. A tree of these mirrors the field tree; each node knows its columns,
 * grouped by representation (index = representation index), and the output column names below it.
 */
export type FieldNode =
  | (NodeBase & { kind: "leaf"; out: ArrayKind })
  | (NodeBase & { kind: "string" })
  | (NodeBase & { kind: "cardinality"; out: ArrayKind })
  | (NodeBase & { kind: "collection"; child: FieldNode })
  | (NodeBase & { kind: "array"; size: number; child: FieldNode })
  | (NodeBase & { kind: "record"; children: FieldNode[] })
  | (NodeBase & { kind: "variant"; children: FieldNode[] })
  | (NodeBase & { kind: "unsupported"; reason: string });

interface NodeBase {
  field: FieldDescriptor;
  /** Output name of this node ("Muon_pt", "rec.x"); children extend it. */
  path: string;
  /** Columns per representation, each list ordered by column id. */
  reps: ColumnDescriptor[][];
}

/** The merged schema (header + footer extension) with fields' children and columns resolved. */
export class Schema {
  readonly fields: FieldDescriptor[];
  readonly columns: ColumnDescriptor[];
  private readonly children = new Map<number, FieldDescriptor[]>();
  private readonly fieldColumns = new Map<number, ColumnDescriptor[]>();

  constructor(
    parts: SchemaDescription[],
    readonly place: ErrorPlace,
  ) {
    this.fields = parts.flatMap((p) => p.fields);
    this.columns = parts.flatMap((p) => p.columns);
    for (const f of this.fields) {
      if (f.parentId === f.id) continue;
      const list = this.children.get(f.parentId) ?? [];
      list.push(f);
      this.children.set(f.parentId, list);
    }
    // Physical columns first (header, then extension), then alias columns in serialization order.
    for (const c of this.columns) this.attach(c.fieldId, c);
    for (const a of parts.flatMap((p) => p.aliases)) {
      const physical = this.columns[a.physicalId];
      if (!physical) throw new HepflowError("RNTUPLE_CORRUPT", `alias column points to missing physical column ${a.physicalId}`, place);
      this.attach(a.fieldId, physical);
    }
  }

  private attach(fieldId: number, c: ColumnDescriptor): void {
    const list = this.fieldColumns.get(fieldId) ?? [];
    list.push(c);
    this.fieldColumns.set(fieldId, list);
  }

  /** Top-level fields (their own parent), in schema order. */
  topLevel(): FieldDescriptor[] {
    return this.fields.filter((f) => f.parentId === f.id);
  }

  childrenOf(f: FieldDescriptor): FieldDescriptor[] {
    return this.children.get(f.id) ?? [];
  }

  /** The top-level field a field belongs to. */
  topOf(f: FieldDescriptor): FieldDescriptor {
    let cur = f;
    for (let guard = 0; cur.parentId !== cur.id; guard++) {
      const parent = this.fields[cur.parentId];
      if (!parent || guard > this.fields.length) throw new HepflowError("RNTUPLE_CORRUPT", `field "${f.name}" has a broken parent chain`, this.place);
      cur = parent;
    }
    return cur;
  }

  /** Columns of a field grouped by representation index. */
  representations(f: FieldDescriptor): ColumnDescriptor[][] {
    const reps: ColumnDescriptor[][] = [];
    for (const c of this.fieldColumns.get(f.id) ?? []) (reps[c.representation] ??= []).push(c);
    return reps.filter((r) => r !== undefined);
  }

  /** Builds the read plan of a field and everything below it. */
  node(f: FieldDescriptor, path: string): FieldNode {
    const reps = this.representations(f);
    const base = { field: f, path, reps };
    const kids = this.childrenOf(f);
    const unsupported = (reason: string): FieldNode => ({ ...base, kind: "unsupported", reason });
    for (const rep of reps) {
      for (const c of rep) {
        if (!isKnownColumnType(c.type)) return unsupported(`column type 0x${c.type.toString(16)} (newer than format 1.0)`);
      }
    }
    const type = f.typeName;
    switch (f.role) {
      case Role.Streamer:
        return unsupported(`type "${type}" is stored with the ROOT streamer (structural role streamer)`);
      case Role.Collection: {
        if (kids.length !== 1) return unsupported(`collection with ${kids.length} subfields`);
        if (!reps.length || !reps.every((r) => r.length === 1 && isIndexColumn(r[0]!.type))) return unsupported("collection without an index column");
        return { ...base, kind: "collection", child: this.node(kids[0]!, path) };
      }
      case Role.Record:
        return { ...base, kind: "record", children: kids.map((k) => this.node(k, joinPath(path, k.name))) };
      case Role.Variant: {
        if (!reps.length || !reps.every((r) => r.length === 1 && r[0]!.type === ColumnType.Switch)) return unsupported("variant without a switch column");
        return { ...base, kind: "variant", children: kids.map((k) => this.node(k, joinPath(path, k.name))) };
      }
      case Role.Leaf:
        break;
      default:
        return unsupported(`structural role ${f.role}`);
    }
    if (f.flags & 0x01) {
      const size = f.arraySize ?? 0;
      // std::bitset: a repetitive leaf with its own Bit column; std::array / C arrays: the items are subfield _0.
      if (reps.length) return { ...base, kind: "array", size, child: { ...base, kind: "leaf", out: "u8" } };
      if (kids.length !== 1) return unsupported(`fixed-size array with ${kids.length} subfields`);
      return { ...base, kind: "array", size, child: this.node(kids[0]!, path) };
    }
    const card = /^ROOT::(Experimental::)?RNTupleCardinality<(.*)>$/.exec(type);
    if (card) {
      const kind = card[2] === "std::uint64_t" ? "u64" : "u32";
      if (!reps.length || !reps.every((r) => r.length === 1 && isIndexColumn(r[0]!.type))) return unsupported("cardinality without an index column");
      return { ...base, kind: "cardinality", out: kind };
    }
    if (type === "std::string") {
      if (!reps.length || !reps.every((r) => r.length === 2 && isIndexColumn(r[0]!.type))) return unsupported("string without index and character columns");
      return { ...base, kind: "string" };
    }
    const kind = scalarKind(type);
    if (kind) {
      if (!reps.length || !reps.every((r) => r.length === 1)) return unsupported(`scalar field with ${reps.map((r) => r.length).join("/")} columns`);
      for (const r of reps) {
        const why = incompatible(kind, r[0]!);
        if (why) return unsupported(why);
      }
      return { ...base, kind: "leaf", out: kind };
    }
    // std::atomic<T> and enums: a column-less leaf wrapping the real value in subfield _0.
    if (!reps.length && kids.length === 1) return this.node(kids[0]!, path);
    return unsupported(`type "${type}" is not supported`);
  }
}

/** Appends a record member to an output name; base-class subfields (":_0") merge into their class. */
function joinPath(path: string, name: string): string {
  return name.startsWith(":") ? path : `${path}.${name}`;
}

const SCALARS: Record<string, ArrayKind> = {
  bool: "u8",
  char: "i8",
  "std::byte": "u8",
  "std::int8_t": "i8",
  "std::uint8_t": "u8",
  "std::int16_t": "i16",
  "std::uint16_t": "u16",
  "std::int32_t": "i32",
  "std::uint32_t": "u32",
  "std::int64_t": "i64",
  "std::uint64_t": "u64",
  float: "f32",
  double: "f64",
  Double32_t: "f64",
};

/** The output array kind of a fundamental C++ type name, or undefined. */
export function scalarKind(type: string): ArrayKind | undefined {
  return SCALARS[type];
}

/** Why a column cannot feed a field of this kind (floats never come from integer columns and vice versa). */
function incompatible(kind: ArrayKind, c: ColumnDescriptor): string | undefined {
  const real = [ColumnType.Real16, ColumnType.Real32, ColumnType.Real64, ColumnType.SplitReal16, ColumnType.SplitReal32, ColumnType.SplitReal64, ColumnType.Real32Trunc, ColumnType.Real32Quant].includes(c.type);
  const wantsReal = kind === "f32" || kind === "f64";
  if (real !== wantsReal || c.type === ColumnType.Switch || isIndexColumn(c.type)) {
    return `column type ${columnTypeName(c.type, c.bits)} cannot hold a ${kind} value`;
  }
  return undefined;
}
