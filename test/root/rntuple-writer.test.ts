import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { openFile as jsrootOpen } from "jsroot/io";
import { TSelector } from "jsroot/tree";
import { rntupleProcess } from "jsroot/rntuple";
import { createFile, type BranchSpec, type LeafType } from "../../src/root/index.js";
import { RootFile } from "../../src/root/file.js";
import type { RNTuple } from "../../src/root/rntuple/index.js";
import { Jagged, isHepflowError, type Column, type Columns } from "../../src/util/index.js";
import { rootFile } from "../shared.js";

const dir = mkdtempSync(path.join(tmpdir(), "hepflow-rntw-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const out = (name: string): string => path.join(dir, name);

/** Deterministic pseudo-random numbers (LCG), so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const SCHEMA: BranchSpec[] = [
  { name: "run", type: "u32" },
  { name: "event", type: "u64" },
  { name: "big", type: "i64" },
  { name: "x", type: "f64" },
  { name: "w", type: "f32" },
  { name: "i", type: "i32" },
  { name: "s16", type: "i16" },
  { name: "u16", type: "u16" },
  { name: "i8", type: "i8" },
  { name: "u8", type: "u8" },
  { name: "flag", type: "bool" },
  { name: "label", type: "string" },
  { name: "nJet", type: "i32" },
  { name: "Jet_pt", type: "f32", counter: "nJet" },
  { name: "Jet_id", type: "i32", counter: "nJet" },
  { name: "Jet_good", type: "bool", counter: "nJet" },
  { name: "MET.pt", type: "f32" },
  { name: "MET.phi", type: "f32" },
];

/** `n` events covering each type's extremes, empty collections and multi-byte strings. */
function events(n: number, seed: number, ascii = false): Columns {
  const r = rng(seed);
  const counts = Array.from({ length: n }, () => Math.floor(r() * 6));
  const offsets = new Int32Array(n + 1);
  counts.forEach((c, k) => {
    offsets[k + 1] = offsets[k]! + c;
  });
  const m = offsets[n]!;
  const ints = new Int32Array(n).map(() => Math.floor((r() - 0.5) * 2 ** 32));
  ints[0] = 2147483647;
  if (n > 1) ints[1] = -2147483648;
  const big = new BigInt64Array(n).map((_, k) => BigInt(k) * 9007199254740993n * (k % 2 ? -1n : 1n));
  return {
    run: new Uint32Array(n).map(() => Math.floor(r() * 2 ** 32)),
    event: new BigUint64Array(n).map((_, k) => 18446744073709551615n - BigInt(k)),
    big,
    x: new Float64Array(n).map(() => (r() - 0.5) * 1e6),
    w: new Float32Array(n).map(() => r()),
    i: ints,
    s16: new Int16Array(n).map(() => Math.floor((r() - 0.5) * 65536)),
    u16: new Uint16Array(n).map(() => Math.floor(r() * 65536)),
    i8: new Int8Array(n).map(() => Math.floor((r() - 0.5) * 256)),
    u8: new Uint8Array(n).map(() => Math.floor(r() * 256)),
    flag: new Uint8Array(n).map(() => (r() < 0.3 ? 1 : 0)),
    label: Array.from({ length: n }, (_, k) => (ascii ? "" : "é→") + "ev".repeat(k % 4) + String(k)),
    nJet: Int32Array.from(counts),
    Jet_pt: new Jagged(
      offsets,
      new Float32Array(m).map(() => r() * 200),
    ),
    Jet_id: new Jagged(
      offsets,
      new Int32Array(m).map(() => Math.floor((r() - 0.5) * 100)),
    ),
    Jet_good: new Jagged(
      offsets,
      new Uint8Array(m).map(() => (r() < 0.5 ? 1 : 0)),
    ),
    "MET.pt": new Float32Array(n).map(() => r() * 100),
    "MET.phi": new Float32Array(n).map(() => (r() - 0.5) * 6),
  };
}

function plain(c: Column): unknown {
  if (c instanceof Jagged) return { offsets: Array.from(c.offsets), content: plain(c.content) };
  return Array.from(c as ArrayLike<unknown>);
}

async function write(file: string, cols: Columns, opts: { compression?: string; entriesPerCluster?: number; chunk?: number; schema?: BranchSpec[] } = {}): Promise<void> {
  const w = await createFile(file, { compression: opts.compression ?? "zstd:5" });
  const nt = w.writeRNTuple("Events", opts.schema ?? SCHEMA, { entriesPerCluster: opts.entriesPerCluster, pageBytes: 4096 });
  const n = (cols.run as Uint32Array).length;
  const step = opts.chunk ?? n;
  for (let a = 0; a < n; a += step) nt.write(slice(cols, a, Math.min(n, a + step)));
  await w.close();
}

function slice(cols: Columns, a: number, b: number): Columns {
  const o: Columns = {};
  for (const [k, c] of Object.entries(cols)) {
    if (c instanceof Jagged) {
      const off = c.offsets.slice(a, b + 1).map((v) => v - c.offsets[a]!);
      o[k] = new Jagged(off, (c.content as Uint8Array).slice(c.offsets[a]!, c.offsets[b]!));
    } else o[k] = (c as Uint8Array).slice(a, b);
  }
  return o;
}

describe("RNTuple writer: read back by hepflow", () => {
  for (const codec of ["none", "zlib:1", "lz4", "zstd:5", "lzma:6"]) {
    it(`every type, several clusters and pages, ${codec}`, async () => {
      const cols = events(3001, 7);
      const file = out(`all-${codec.replace(":", "")}.root`);
      // chunks of 700 cut across the 1000-entry clusters: the writer splits them
      await write(file, cols, { compression: codec, entriesPerCluster: 1000, chunk: 700 });
      const f = await RootFile.open(file);
      const t = (await f.tree("Events")) as RNTuple;
      expect(t.kind).toBe("RNTuple");
      expect(t.numEntries).toBe(3001);
      expect(t.clusterBoundaries()).toEqual([0, 1000, 2000, 3000, 3001]);
      const got = await t.arrays();
      expect(Object.keys(got).sort()).toEqual(Object.keys(cols).sort());
      for (const k of Object.keys(cols)) expect(plain(got[k]!), k).toEqual(plain(cols[k]!));
      // several pages per column in a cluster (pageBytes 4096 → 1024 floats)
      const ptColumn = t.header.columns.find((c) => c.fieldId === t.header.fields.find((x) => x.name === "_0" && t.header.fields[x.parentId]!.name === "Jet_pt")!.id)!;
      expect(t.clusters[0]!.columns[ptColumn.id]!.pages.length).toBeGreaterThan(1);
      const stored = t.clusters.flatMap((c) => c.columns.map((x) => x!.compression));
      expect(new Set(stored)).toEqual(new Set([codec === "none" ? 0 : { "zlib:1": 101, lz4: 404, "zstd:5": 505, "lzma:6": 206 }[codec]]));
      // entry ranges across cluster boundaries equal the same entries of the full read
      const part = await t.arrays(["Jet_pt", "label", "big"], { entryStart: 995, entryStop: 2003 });
      expect(plain(part.Jet_pt!)).toEqual(plain(slice({ j: cols.Jet_pt! }, 995, 2003).j!));
      expect(part.label).toEqual((cols.label as string[]).slice(995, 2003));
      await f.close();
    });
  }

  it("zero entries and a zero-entry chunk", async () => {
    const file = out("empty.root");
    const w = await createFile(file);
    const nt = w.writeRNTuple("Events", [
      { name: "x", type: "f32" },
      { name: "v", type: "f64", vector: true },
    ]);
    nt.write({ x: new Float32Array(0), v: new Jagged(new Int32Array([0]), new Float64Array(0)) });
    await w.close();
    const f = await RootFile.open(file);
    const t = await f.tree("Events");
    expect(t.numEntries).toBe(0);
    expect(plain((await t.arrays()).x!)).toEqual([]);
    await f.close();
  });

  it("bad chunks are HepflowErrors naming the field", async () => {
    const w = await createFile(out("bad.root"));
    const nt = w.writeRNTuple("Events", [
      { name: "x", type: "f32" },
      { name: "n", type: "i32" },
      { name: "v", type: "f32", counter: "n" },
    ]);
    const err = (fn: () => void): unknown => {
      try {
        fn();
      } catch (e) {
        return e;
      }
      return undefined;
    };
    const e1 = err(() => nt.write({ x: new Float32Array(2) }));
    expect(isHepflowError(e1) && /no column for field n/.test(e1.message)).toBe(true);
    const e2 = err(() => nt.write({ x: new Float32Array(2), n: new Int32Array(2), v: new Float32Array(2) }));
    expect(isHepflowError(e2) && /v is a collection/.test(e2.message)).toBe(true);
    const e3 = err(() => nt.write({ x: new Float32Array(3), n: new Int32Array(1), v: new Jagged(new Int32Array([0, 1]), new Float32Array(1)) }));
    expect(isHepflowError(e3) && /entries/.test(e3.message)).toBe(true);
    expect(
      isHepflowError(
        err(() =>
          w.writeRNTuple("T2", [
            { name: "a", type: "f32" },
            { name: "a", type: "f64" },
          ]),
        ),
      ),
    ).toBe(true);
    w.abort();
  });
});

/** Reads all entries of `fields` with JSROOT's own RNTuple reader (independent of hepflow's). */
async function jsrootRows(file: string, name: string, fields: string[]): Promise<Record<string, unknown>[]> {
  const f = await jsrootOpen(file);
  const t = await f.readObject(name);
  const sel = new TSelector();
  for (const b of fields) sel.addBranch(b);
  const rows: Record<string, unknown>[] = [];
  sel.Process = function (this: { tgtobj: Record<string, unknown> }) {
    const row: Record<string, unknown> = {};
    for (const b of fields) {
      const v = this.tgtobj[b];
      row[b] = ArrayBuffer.isView(v) || Array.isArray(v) ? Array.from(v as ArrayLike<unknown>) : v;
    }
    rows.push(row);
  };
  await rntupleProcess(t, sel);
  return rows;
}

describe("RNTuple writer: read back by JSROOT", () => {
  for (const codec of ["none", "zlib:1", "lz4", "zstd:5", "lzma:6"]) {
    it(`all values equal, ${codec}`, async () => {
      const n = 1500;
      const cols = events(n, 11, true); // JSROOT decodes std::string bytes as Latin-1: ASCII labels only
      const file = out(`js-${codec.replace(":", "")}.root`);
      // JSROOT finds no columns for untyped record fields (MET): checked by hepflow above, not here
      const schema = SCHEMA.filter((s) => !s.name.startsWith("MET."));
      delete cols["MET.pt"];
      delete cols["MET.phi"];
      await write(file, cols, { compression: codec, entriesPerCluster: 600, schema });
      const names = schema.map((s) => s.name);
      const rows = await jsrootRows(file, "Events", names);
      expect(rows.length).toBe(n);
      for (const name of names) {
        const c = cols[name]!;
        const want: unknown[] = [];
        for (let k = 0; k < n; k++) {
          if (c instanceof Jagged) {
            const items = Array.from((c.content as Float32Array).subarray(c.offsets[k]!, c.offsets[k + 1]!));
            want.push(name === "Jet_good" ? items.map((v) => v === 1) : items);
          } else {
            const v = (c as ArrayLike<unknown>)[k];
            // JSROOT returns 64-bit integers as doubles and booleans as true/false
            want.push(typeof v === "bigint" ? Number(v) : name === "flag" ? v === 1 : v);
          }
        }
        expect(
          rows.map((r) => r[name]),
          name,
        ).toEqual(want);
      }
    });
  }
});

/** (type, bits) of the columns under field `id` (the field and its subfields), as ROOT or hepflow wrote them. */
function columnsUnder(t: RNTuple, id: number): [number, number][] {
  const h = t.header;
  const out: [number, number][] = [];
  const visit = (fid: number): void => {
    for (const c of h.columns) if (c.fieldId === fid) out.push([c.type, c.bits]);
    for (const a of h.aliases)
      if (a.fieldId === fid) {
        const c = h.columns[a.physicalId]!;
        out.push([c.type, c.bits]);
      }
    for (const f of h.fields) if (f.parentId === fid && f.id !== fid) visit(f.id);
  };
  visit(id);
  return out;
}

const LEAF: Record<string, LeafType> = {
  bool: "bool",
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
};

describe("RNTuple writer: structure as ROOT writes it", () => {
  const cases: [string, string, string[]][] = [
    ["ntpl001_staff_rntuple_v1-0-0-0.root", "Staff", []],
    ["test_stl_containers_rntuple_v1-0-0-0.root", "ntuple", ["string", "vector_int32"]],
    ["test_int_float_rntuple_v1-0-0-0.root", "ntuple", []],
    ["test_bit_rntuple_v1-0-0-0.root", "ntuple", []],
    ["Run2012BC_DoubleMuParked_Muons_1000evts_rntuple_v1-0-0-0.root", "Events", []],
  ];
  for (const [name, tuple, only] of cases) {
    it(`${name}: rewritten with the same fields, column encodings and values equal ROOT's`, async () => {
      const src = await RootFile.open(rootFile(name));
      const rt = (await src.tree(tuple)) as RNTuple;
      const fields = rt.branches.filter((b) => !only.length || only.includes(b.name));
      const schema: BranchSpec[] = fields.map((b) => {
        const m = /^(?:std::vector|ROOT::VecOps::RVec)<(.+)>$/.exec(b.typeName);
        if (m) return { name: b.name, type: LEAF[m[1]!]!, vector: true };
        if (b.typeName === "std::string") return { name: b.name, type: "string" };
        const card = /^ROOT::RNTupleCardinality<(.+)>$/.exec(b.typeName);
        return { name: b.name, type: LEAF[card ? card[1]! : b.typeName]! };
      });
      expect(schema.every((s) => s.type)).toBe(true);
      const cols = await rt.arrays(fields.map((b) => b.name));
      const file = out(`re-${name}`);
      const w = await createFile(file, { compression: "zstd:5" });
      w.writeRNTuple(tuple, schema).write(cols);
      await w.close();
      const ours = await RootFile.open(file);
      const ot = (await ours.tree(tuple)) as RNTuple;
      expect(ot.anchor.version).toEqual([1, 0, 0, 0]);
      expect(ot.anchor.maxKeySize).toBe(rt.anchor.maxKeySize);
      for (const b of fields) {
        const rootField = rt.header.fields.find((f) => f.name === b.name && f.parentId === f.id)!;
        const ourField = ot.header.fields.find((f) => f.name === b.name && f.parentId === f.id)!;
        // the importer's counters (RNTupleCardinality) have no column of their own: written as plain integers
        if (/Cardinality/.test(rootField.typeName)) continue;
        expect(ourField.role, b.name).toBe(rootField.role);
        expect(columnsUnder(ot, ourField.id), b.name).toEqual(columnsUnder(rt, rootField.id));
      }
      const back = await ot.arrays();
      for (const b of fields) expect(plain(back[b.name]!), b.name).toEqual(plain(cols[b.name]!));
      await src.close();
      await ours.close();
    });
  }
});

describe("RNTuple and TTree holding the same events", () => {
  it("generated AGC events written both ways read back value for value (the TTree writer/reader checked against JSROOT in writer.test.ts)", async () => {
    const { generateChunk, EVENT_SCHEMA, MODELS, Rng } = await import("../../src/generate/index.js");
    const rng = new Rng("rntuple-vs-ttree");
    const chunks = [generateChunk(rng, MODELS.ttbar__nominal!, 3000, 0), generateChunk(rng, MODELS.ttbar__nominal!, 2000, 3000)];
    const files: string[] = [];
    for (const format of ["ttree", "rntuple"]) {
      const file = out(`same-${format}.root`);
      const w = await createFile(file, { compression: "zstd:5" });
      const t = format === "ttree" ? w.writeTree("Events", EVENT_SCHEMA, { entriesPerBasket: 1500 }) : w.writeRNTuple("Events", EVENT_SCHEMA, { entriesPerCluster: 1500 });
      for (const c of chunks) t.write(c);
      await w.close();
      files.push(file);
    }
    const [ft, fr] = await Promise.all(files.map((f) => RootFile.open(f)));
    const tt = await ft!.tree("Events"),
      rt = await fr!.tree("Events");
    expect(rt.kind).toBe("RNTuple");
    expect(rt.branches.map((b) => b.name)).toEqual(tt.branches.map((b) => b.name));
    const a = await tt.arrays(),
      b = await rt.arrays();
    for (const spec of EVENT_SCHEMA) expect(plain(b[spec.name]!), spec.name).toEqual(plain(a[spec.name]!));
    await ft!.close();
    await fr!.close();
  });
});
