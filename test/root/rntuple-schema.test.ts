import { describe, expect, it } from "vitest";
import { Schema } from "../../src/root/rntuple/schema.js";
import { Assembler } from "../../src/root/rntuple/assemble.js";
import type { PageStore } from "../../src/root/rntuple/pages.js";
import type { ColumnDescriptor, FieldDescriptor } from "../../src/root/rntuple/metadata.js";

// The corpus has no streamer fields or post-1.0 column types, so these plans are built from synthetic descriptors.
function field(id: number, name: string, typeName: string, role: number, parentId = id): FieldDescriptor {
  return { id, fieldVersion: 0, typeVersion: 0, parentId, role, flags: 0, name, typeName, typeAlias: "", description: "" };
}
function column(id: number, fieldId: number, type: number, bits: number): ColumnDescriptor {
  return { id, type, bits, fieldId, flags: 0, representation: 0, firstElement: 0 };
}

describe("RNTuple unsupported features are named, not misread", () => {
  const schema = new Schema(
    [
      {
        fields: [field(0, "blob", "TH1F", 4), field(1, "future", "float", 0), field(2, "ok", "float", 0), field(3, "mixed", "float", 0)],
        columns: [column(0, 0, 0x0f, 64), column(1, 0, 0x01, 8), column(2, 1, 0x7f, 32), column(3, 2, 0x0c, 32), column(4, 3, 0x07, 32)],
        aliases: [],
      },
    ],
    { file: "synthetic.root" },
  );

  it("plans streamer fields, unknown column types and type mismatches as unsupported with a reason", () => {
    const [blob, future, ok, mixed] = schema.topLevel().map((f) => schema.node(f, f.name));
    expect(blob).toMatchObject({ kind: "unsupported" });
    expect((blob as { reason: string }).reason).toMatch(/streamer/);
    expect((future as { reason: string }).reason).toMatch(/column type 0x7f/);
    expect(ok).toMatchObject({ kind: "leaf", out: "f32" });
    expect((mixed as { reason: string }).reason).toMatch(/Int32 cannot hold a f32/);
  });

  it("throws ROOT_UNSUPPORTED naming the field only when it is read", () => {
    const blob = schema.node(schema.fields[0]!, "blob");
    const assembler = new Assembler(null as unknown as PageStore, [], { file: "synthetic.root", object: "ntuple" });
    expect(() => assembler.read(blob, [], () => false, new Map())).not.toThrow();
    expect(() => assembler.read(blob, [], (p) => p === "blob", new Map())).toThrow(/field "blob" \(TH1F\) cannot be read: .*streamer/);
    let error: unknown;
    try {
      assembler.read(blob, [], (p) => p === "blob", new Map());
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: "ROOT_UNSUPPORTED", file: "synthetic.root" });
  });
});
