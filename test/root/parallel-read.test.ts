import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createFile, decompressionTotals, decompressionWorkers, openFile, type TTree } from "../../src/root/index.js";
import { HepflowError, Jagged } from "../../src/util/index.js";
import type { Columns } from "../../src/util/index.js";
import { rootFile } from "../shared.js";
import { pooledTotals, type Placement } from "../../src/root/ttree/parallel.js";
import { place } from "../../src/root/ttree/placement.js";

/** Every column as bytes (offsets and content), so "identical" means byte for byte. */
function bytesOf(cols: Columns): Record<string, number[][]> {
  const out: Record<string, number[][]> = {};
  for (const [k, v] of Object.entries(cols)) {
    const parts = v instanceof Jagged ? [v.offsets, v.content] : [v];
    out[k] = parts.map((a) => Array.from(new Uint8Array((a as Uint8Array).buffer, (a as Uint8Array).byteOffset, (a as Uint8Array).byteLength)));
  }
  return out;
}

async function readWith(workers: number, file: string, tree: string, stepSize?: number): Promise<{ cols: Columns[]; objects: number; compressedBytes: number; pooled: number }> {
  decompressionWorkers(workers, { minBytes: 0 }); // the files here are small: use the pool anyway
  const f = await openFile(file);
  try {
    const t = await f.tree(tree);
    const start = { ...decompressionTotals },
      pooled = pooledTotals.objects;
    const cols: Columns[] = [];
    if (stepSize) for await (const c of t.iterate(undefined, { stepSize })) cols.push(c.columns);
    else cols.push(await t.arrays());
    return { cols, objects: decompressionTotals.objects - start.objects, compressedBytes: decompressionTotals.compressedBytes - start.compressedBytes, pooled: pooledTotals.objects - pooled };
  } finally {
    await f.close();
  }
}

describe("baskets decompressed on worker threads", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "hepflow-parallel-read-"));
  afterAll(() => {
    decompressionWorkers(undefined, { minBytes: 8 * 1024 * 1024 });
    rmSync(dir, { recursive: true, force: true });
  });

  // ROOT-written files (LZMA, zlib; ZSTD, whose columns here are too small to be written in place by
  // the threads, stays on the reading thread) and NanoAOD's 947 branches: the pool's columns are the serial read's, and the
  // pool threads' decompressions are counted as the serial read counts its own
  for (const [file, tree] of [
    ["uproot-HZZ-lzma.root", "events"],
    ["uproot-HZZ-zlib.root", "events"],
    ["uproot-HZZ-zstd.root", "events"],
    ["nanoAOD_2015_CMS_Open_Data_ttbar.root", "Events"],
  ] as const) {
    it(`${file}: arrays() on 2 threads equals the serial read`, async () => {
      const serial = await readWith(0, rootFile(file), tree);
      const onThreads = pooledTotals.objects;
      const pooled = await readWith(2, rootFile(file), tree);
      // LZMA and zlib baskets go to the threads; ZSTD ones only with a placement (outputs above 64 kB)
      expect(pooledTotals.objects - onThreads > 0).toBe(!file.includes("zstd"));
      expect(serial.objects).toBeGreaterThan(0);
      expect({ objects: pooled.objects, bytes: pooled.compressedBytes }).toEqual({ objects: serial.objects, bytes: serial.compressedBytes });
      expect(bytesOf(pooled.cols[0]!)).toEqual(bytesOf(serial.cols[0]!));
    });
  }

  it("iterate() in steps over a multi-cluster file equals the serial steps", async () => {
    const file = path.join(dir, "steps.root");
    const w = await createFile(file, { compression: "zlib:1" });
    const t = w.writeTree(
      "t",
      [
        { name: "n", type: "i32" },
        { name: "x", type: "f64", counter: "n" },
        { name: "e", type: "i64" },
      ],
      { entriesPerBasket: 700 },
    );
    const n = 5000,
      counts = Int32Array.from({ length: n }, (_, i) => (i * 7) % 5);
    const o = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) o[i + 1] = o[i]! + counts[i]!;
    t.write({
      n: counts,
      x: new Jagged(
        o,
        Float64Array.from({ length: o[n]! }, (_, i) => Math.sin(i)),
      ),
      e: BigInt64Array.from({ length: n }, (_, i) => BigInt(i) * 3n),
    });
    await w.close();
    const serial = await readWith(0, file, "t", 1500);
    const pooled = await readWith(2, file, "t", 1500);
    expect(pooled.cols.length).toBe(serial.cols.length);
    expect(pooled.cols.length).toBeGreaterThan(1);
    pooled.cols.forEach((c, i) => expect(bytesOf(c)).toEqual(bytesOf(serial.cols[i]!)));
    expect(pooled.objects).toBe(serial.objects);
  });

  it("a corrupt basket raises the serial read's error, naming file, branch and offset, on the pool too", async () => {
    const src = rootFile("uproot-HZZ-lzma.root");
    const f = await openFile(src);
    const ref = ((await f.tree("events")) as TTree).branch("Jet_Px").baskets.find((b) => !b.embedded)!;
    await f.close();
    const bytes = readFileSync(src);
    // scramble the middle of the basket's LZMA stream (past its key and ROOT block header)
    for (let i = ref.seek! + Math.floor(ref.bytes! / 2); i < ref.seek! + Math.floor(ref.bytes! / 2) + 16; i++) bytes[i] = bytes[i]! ^ 0x5a;
    const bad = path.join(dir, "corrupt.root");
    writeFileSync(bad, bytes);
    const errorOf = async (workers: number) => {
      decompressionWorkers(workers, { minBytes: 0 });
      const g = await openFile(bad);
      try {
        await (await g.tree("events")).arrays(["Jet_Px"]);
        return null;
      } catch (e) {
        return e as HepflowError;
      } finally {
        await g.close();
      }
    };
    const serial = await errorOf(0),
      pooled = await errorOf(2);
    expect(serial).toBeInstanceOf(HepflowError);
    expect(serial!.message).toContain("Jet_Px");
    expect([pooled?.code, pooled?.message]).toEqual([serial!.code, serial!.message]);
  });

  // zlib baskets always go to the threads, ZSTD ones only with their values' placement
  for (const codec of ["zlib:1", "zstd:1"])
    it(`${codec}: numbers of every type, booleans and collections are written in place by the threads, as written and as the serial read`, async () => {
      // outputs above 64 kB are shared memory the threads fill; baskets of 2900 entries cross the steps' edges
      const file = path.join(dir, `kinds-${codec.replace(":", "")}.root`);
      const n = 70_000;
      const types = ["bool", "i8", "u8", "i16", "u16", "i32", "u32", "i64", "u64", "f32", "f64"] as const;
      const jaggedTypes = ["bool", "u8", "i16", "i32", "f32", "f64", "i64", "u64"] as const;
      const value = (t: string, i: number): number | bigint | boolean => {
        const x = (i * 2654435761) % 4294967296;
        switch (t) {
          case "bool":
            return x % 3 === 0;
          case "i8":
            return (x % 256) - 128;
          case "u8":
            return x % 256;
          case "i16":
            return (x % 65536) - 32768;
          case "u16":
            return x % 65536;
          case "i32":
            return x - 2147483648;
          case "u32":
            return x;
          case "i64":
            return BigInt(x) * -1234567n;
          case "u64":
            return BigInt(x) * 987654321n;
          case "f32":
            return Math.fround(Math.sin(i) * 1e3);
          default:
            return Math.cos(i) * 1e6;
        }
      };
      const arrayOf = (t: string, len: number, at: (k: number) => number): ArrayLike<unknown> => {
        const T = { bool: Uint8Array, i8: Int8Array, u8: Uint8Array, i16: Int16Array, u16: Uint16Array, i32: Int32Array, u32: Uint32Array, i64: BigInt64Array, u64: BigUint64Array, f32: Float32Array, f64: Float64Array }[t]!;
        const a = new T(len);
        for (let k = 0; k < len; k++) {
          const v = value(t, at(k));
          (a as unknown as unknown[])[k] = typeof v === "boolean" ? Number(v) : v;
        }
        return a as ArrayLike<unknown>;
      };
      const counts = Int32Array.from({ length: n }, (_, i) => (i * 7) % 4);
      const offsets = new Int32Array(n + 1);
      for (let i = 0; i < n; i++) offsets[i + 1] = offsets[i]! + counts[i]!;
      const expected: Record<string, ArrayLike<unknown>> = { nX: counts };
      for (const t of types) expected[`flat_${t}`] = arrayOf(t, n, (k) => k);
      for (const t of jaggedTypes) expected[`X_${t}`] = arrayOf(t, offsets[n]!, (k) => k + 17);
      const w = await createFile(file, { compression: codec });
      const tw = w.writeTree("t", [{ name: "nX", type: "i32" }, ...types.map((t) => ({ name: `flat_${t}`, type: t })), ...jaggedTypes.map((t) => ({ name: `X_${t}`, type: t, counter: "nX" }))], { entriesPerBasket: 2900 });
      const cols: Columns = {};
      for (const [k, v] of Object.entries(expected)) cols[k] = (k.startsWith("X_") ? new Jagged(offsets, v as Float64Array) : v) as Columns[string];
      tw.write(cols);
      await w.close();

      const serial = await readWith(0, file, "t");
      const pooled = await readWith(2, file, "t");
      expect(pooled.pooled).toBeGreaterThan(0);
      expect({ objects: pooled.objects, bytes: pooled.compressedBytes }).toEqual({ objects: serial.objects, bytes: serial.compressedBytes });
      // large columns: compared as bytes (a deep equality of millions of numbers takes seconds)
      const bytes = (a: unknown) => Buffer.from((a as Uint8Array).buffer, (a as Uint8Array).byteOffset, (a as Uint8Array).byteLength);
      const differing = (x: Columns, y: Columns) =>
        Object.keys({ ...x, ...y }).filter((k) => {
          const a = x[k],
            b = y[k];
          if (!a || !b) return true;
          const pa = a instanceof Jagged ? [a.offsets, a.content] : [a],
            pb = b instanceof Jagged ? [b.offsets, b.content] : [b];
          return pa.length !== pb.length || pa.some((p, i) => p.constructor !== pb[i]!.constructor || !bytes(p).equals(bytes(pb[i]!)));
        });
      expect(differing(pooled.cols[0]!, serial.cols[0]!)).toEqual([]);
      const got = pooled.cols[0]!;
      const written: Columns = {};
      for (const [k, v] of Object.entries(expected)) written[k] = (k.startsWith("X_") ? new Jagged(offsets, v as Float64Array) : v) as Columns[string];
      expect(differing(got, written)).toEqual([]);
      // every output here (the counter too) is above 64 kB: the threads wrote it in place
      expect(Object.keys(got).filter((k) => !((got[k] instanceof Jagged ? (got[k] as Jagged).content : got[k]) as Uint8Array).buffer.constructor.name.startsWith("Shared"))).toEqual([]);

      const steps = await readWith(2, file, "t", 25_000);
      const serialSteps = await readWith(0, file, "t", 25_000);
      expect(steps.pooled).toBeGreaterThan(0);
      expect(steps.cols.length).toBe(serialSteps.cols.length);
      expect(steps.cols.length).toBe(3);
      steps.cols.forEach((c, i) => expect(differing(c, serialSteps.cols[i]!)).toEqual([]));
      expect(steps.objects).toBe(serialSteps.objects);
    });

  it("a thread places only the layouts the sink would copy, converted as the serial read converts them", () => {
    const sab = () => {
      const b = new SharedArrayBuffer(64);
      new Uint8Array(b).fill(0xee);
      return b;
    };
    const be = (vals: number[], f: (d: DataView, at: number, v: number) => void, size: number, tail: number[] = [], keyLen = 0) => {
      const out = new Uint8Array(vals.length * size + (tail.length ? 4 + 4 * tail.length : 0));
      const d = new DataView(out.buffer);
      vals.forEach((v, i) => f(d, i * size, v));
      if (tail.length) {
        d.setInt32(vals.length * size, tail.length);
        tail.forEach((o, i) => d.setInt32(vals.length * size + 4 + 4 * i, o + keyLen));
      }
      return out;
    };
    const f32 = (d: DataView, at: number, v: number) => d.setFloat32(at, v);
    // fixed, no entry offsets: entries 1..3 of a 4-entry basket, one f32 each, at byte 8 of the output
    let buf = sab();
    let p: Placement = { buf, at: 8, size: 4, bool: false, lo: 1, hi: 4, perEntry: 4 };
    expect(place(be([1.5, -2, 3.25, 1e9], f32, 4), { border: 16, entries: 4, keyLen: 0 }, p)).toBe(true);
    expect(Array.from(new Float32Array(buf, 8, 3))).toEqual([-2, 3.25, 1e9]);
    expect(new Uint8Array(buf, 0, 8).every((b) => b === 0xee) && new Uint8Array(buf, 20).every((b) => b === 0xee)).toBe(true);
    // fixed with entry offsets but extra bytes (entry headers): left to the sink, nothing written
    buf = sab();
    p = { buf, at: 0, size: 4, bool: false, lo: 0, hi: 2, perEntry: 4 };
    expect(place(be([1, 2, 3], f32, 4, [0, 6]), { border: 12, entries: 2, keyLen: 0 }, p)).toBe(false);
    expect(new Uint8Array(buf).every((b) => b === 0xee)).toBe(true);
    // fixed with fewer bytes than its entries need: the sink raises its error
    expect(place(be([1], f32, 4), { border: 4, entries: 2, keyLen: 0 }, p)).toBe(false);
    // a collection with entry offsets (stored from the key start): entries 1..2 hold values 2..4
    buf = sab();
    p = { buf, at: 4, size: 4, bool: false, lo: 1, hi: 3, values: 3 };
    expect(place(be([7, 8, 9, 10, 11], f32, 4, [0, 8, 12], 100), { border: 20, entries: 3, keyLen: 100 }, p)).toBe(true);
    expect(Array.from(new Float32Array(buf, 4, 3))).toEqual([9, 10, 11]);
    // its counter disagrees with the offsets (entry headers, or damage): nothing written
    buf = sab();
    expect(place(be([7, 8, 9, 10, 11], f32, 4, [0, 8, 12], 100), { border: 20, entries: 3, keyLen: 100 }, { ...p, buf, values: 2 })).toBe(false);
    expect(new Uint8Array(buf).every((b) => b === 0xee)).toBe(true);
    // no entry offsets and the range starts inside the basket: the sink needs the counts before it
    expect(place(be([7, 8], f32, 4), { border: 8, entries: 2, keyLen: 0 }, { ...p, lo: 1, hi: 2, values: 1 })).toBe(false);
    // booleans: any non-zero byte is true (1), as the serial read makes it
    buf = sab();
    expect(place(Uint8Array.from([0, 1, 2, 255]), { border: 4, entries: 4, keyLen: 0 }, { buf, at: 0, size: 1, bool: true, lo: 0, hi: 4, perEntry: 1 })).toBe(true);
    expect(Array.from(new Uint8Array(buf, 0, 5))).toEqual([0, 1, 1, 1, 0xee]);
    // 8-byte values: i64 from big-endian
    buf = sab();
    const v64 = new Uint8Array(16);
    new DataView(v64.buffer).setBigInt64(0, -5n);
    new DataView(v64.buffer).setBigInt64(8, 1n << 40n);
    expect(place(v64, { border: 16, entries: 2, keyLen: 0 }, { buf, at: 16, size: 8, bool: false, lo: 0, hi: 2, perEntry: 8 })).toBe(true);
    expect(Array.from(new BigInt64Array(buf, 16, 2))).toEqual([-5n, 1n << 40n]);
  });
});
