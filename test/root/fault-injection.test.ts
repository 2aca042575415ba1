// Seeded fault injection (issue 13): mutated files across every codec, TTree and RNTuple,
// histograms and nested directories. Every case must end within its time limit in a HepflowError
// or in data — never another exception (a stack), a hang or an allocation beyond twice the file.
// Data are compared with the original's; counts per outcome are printed.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it, beforeAll } from "vitest";
import { MemorySource } from "../../src/io/index.js";
import { createFile, openFile, type RootHistogram } from "../../src/root/index.js";
import { HepflowError, Jagged } from "../../src/util/index.js";
import { rootFile } from "../shared.js";
import { mutate, recordsOf, rng, undetectableBecause, type ReadResult } from "./fault-cases.js";

const CODECS = ["none", "zlib:1", "lz4", "zstd:1", "lzma:1"] as const;
const RNTUPLES = ["test_int_float_rntuple_v1-0-0-0.root", "ntpl001_staff_rntuple_v1-0-0-0.root"];
const CASES_PER_FILE = 75; // 7 files → 525 cases
/** Per case. A corrupt file must fail fast; 10 s is the bound, on a loaded 2-core machine. */
const CASE_LIMIT_MS = 10_000;

function hist(name: string): RootHistogram {
  const contents = new Float64Array(22).map((_, i) => ((i * 13) % 7) + 0.5);
  return { className: "TH1D", name, title: name, dimension: 1, xaxis: { nbins: 20, xmin: 0, xmax: 100, title: "x" }, contents, sumw2: contents.map((v) => v * 2), entries: 99, stats: { tsumw: 1, tsumw2: 1, tsumwx: 1, tsumwx2: 1 } };
}

/** Everything readable in a file, as plain JSON-able values, so two reads compare with toEqual. */
async function readAll(bytes: Uint8Array, name: string): Promise<unknown> {
  const f = await openFile(new MemorySource(bytes, name));
  try {
    const out: Record<string, unknown> = {};
    for (const k of await f.keys()) {
      if (/^(TDirectory|TDirectoryFile)$/.test(k.className)) {
        out[k.path] = "dir";
        continue;
      }
      if (/^(TTree|TNtuple)$/.test(k.className) || /RNTuple/.test(k.className)) {
        const t = await f.tree(k.path);
        const cols = await t.arrays();
        out[k.path] = Object.fromEntries(Object.entries(cols).map(([c, v]) => [c, v instanceof Jagged ? [Array.from(v.offsets), Array.from(v.content as ArrayLike<number>)] : Array.isArray(v) ? v : Array.from(v as ArrayLike<number>)]));
      } else {
        const o = (await f.get(k.path)) as { contents?: Float64Array };
        out[k.path] = o?.contents ? Array.from(o.contents) : k.className;
      }
    }
    return out;
  } finally {
    await f.close();
  }
}

/** The largest single Buffer allocation while `f` runs (where the reader asks for big memory). */
async function largestAllocation<T>(f: () => Promise<T>): Promise<{ result: T | undefined; error: unknown; largest: number }> {
  let largest = 0;
  const orig = { slow: Buffer.allocUnsafeSlow, unsafe: Buffer.allocUnsafe, alloc: Buffer.alloc };
  const spy = <F extends (n: number, ...a: never[]) => Buffer>(fn: F): F =>
    ((n: number, ...a: never[]) => {
      if (n > largest) largest = n;
      return fn(n, ...a);
    }) as F;
  Buffer.allocUnsafeSlow = spy(orig.slow);
  Buffer.allocUnsafe = spy(orig.unsafe);
  Buffer.alloc = spy(orig.alloc) as typeof Buffer.alloc;
  try {
    return { result: await f(), error: undefined, largest };
  } catch (error) {
    return { result: undefined, error, largest };
  } finally {
    Buffer.allocUnsafeSlow = orig.slow;
    Buffer.allocUnsafe = orig.unsafe;
    Buffer.alloc = orig.alloc;
  }
}

const files: Array<{ name: string; bytes: Uint8Array }> = [];
beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "faults-"));
  for (const codec of CODECS) {
    const p = path.join(dir, `faults-${codec.replace(":", "")}.root`);
    const w = await createFile(p, { compression: codec });
    w.mkdir("hists/nested");
    w.putHistogram("hists/h1", hist("h1"));
    w.putHistogram("hists/nested/h2", hist("h2"));
    const t = w.writeTree(
      "Events",
      [
        { name: "run", type: "i32" },
        { name: "x", type: "f64" },
        { name: "nJet", type: "i32" },
        { name: "Jet_pt", type: "f32", counter: "nJet" },
      ],
      { entriesPerBasket: 50 },
    );
    const n = 300;
    const counts = new Int32Array(n).map((_, i) => i % 4);
    const offsets = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) offsets[i + 1] = offsets[i]! + counts[i]!;
    t.write({
      run: new Int32Array(n).map((_, i) => i),
      x: new Float64Array(n).map((_, i) => Math.sin(i)),
      nJet: counts,
      Jet_pt: new Jagged(
        offsets,
        new Float32Array(offsets[n]!).map((_, i) => 20 + (i % 17)),
      ),
    });
    await w.close();
    files.push({ name: path.basename(p), bytes: new Uint8Array(readFileSync(p)) });
  }
  for (const name of RNTUPLES) files.push({ name, bytes: new Uint8Array(readFileSync(rootFile(name))) });
});

describe("seeded fault injection", () => {
  it(`≥ 500 mutated files end in equal data or a HepflowError, each within ${CASE_LIMIT_MS / 1000} s`, async () => {
    const counts: Record<string, number> = { equal: 0, hepflowError: 0, undetectable: 0, defect: 0 };
    const byFile: Record<string, Record<string, number>> = {};
    const problems: string[] = [];
    const undetectable: string[] = [];
    let cases = 0;
    for (const [fi, file] of files.entries()) {
      const original = (await readAll(file.bytes, file.name)) as ReadResult;
      const base = (await largestAllocation(() => readAll(file.bytes, file.name))).largest;
      const rand = rng(9000 + fi);
      const mine = (byFile[file.name] = { equal: 0, hepflowError: 0, undetectable: 0, defect: 0 });
      for (let t = 0; t < CASES_PER_FILE; t++) {
        cases++;
        const { bytes, kind } = mutate(file.bytes, rand, t);
        const label = `${file.name} #${t} (${kind})`;
        const t0 = Date.now();
        let timer: NodeJS.Timeout | undefined;
        const run = largestAllocation(() => readAll(bytes, label));
        const limit = new Promise<"timeout">((r) => {
          timer = setTimeout(() => r("timeout"), CASE_LIMIT_MS);
        });
        const got = await Promise.race([run, limit]);
        clearTimeout(timer);
        if (got === "timeout") {
          problems.push(`${label}: no answer after ${CASE_LIMIT_MS} ms`);
          continue;
        }
        if (Date.now() - t0 > CASE_LIMIT_MS) problems.push(`${label}: took ${Date.now() - t0} ms`);
        // Memory: a corrupt length must not make the reader ask for more than twice the file
        // (or twice what the intact file needed, for data that decompress beyond it).
        if (got.largest > 2 * Math.max(file.bytes.length, base)) problems.push(`${label}: allocated ${got.largest} bytes for a ${file.bytes.length}-byte file`);
        let outcome: string;
        if (got.error !== undefined) {
          if (got.error instanceof HepflowError) outcome = "hepflowError";
          else {
            problems.push(`${label}: ${(got.error as Error)?.constructor?.name}: ${(got.error as Error)?.message}`);
            continue;
          }
        } else if (JSON.stringify(got.result) === JSON.stringify(original)) {
          outcome = "equal";
        } else {
          // Different data without an error: allowed only where the format itself has no check
          // (fault-cases.ts: undetectableBecause); anything else is a reader defect and fails.
          const why = undetectableBecause(file.bytes, bytes, original, got.result as ReadResult);
          if (why) {
            outcome = "undetectable";
            undetectable.push(`${label}: ${why}`);
          } else {
            outcome = "defect";
            problems.push(`${label}: read without error to different data, not explained by a raw payload`);
          }
        }
        counts[outcome]!++;
        mine[outcome as keyof typeof mine]!++;
      }
    }
    const line = (c: Record<string, number>) => `${c.equal} equal, ${c.hepflowError} HepflowError, ${c.undetectable} undetectable by the format, ${c.defect} silent defects`;
    console.log(`fault injection: ${cases} cases over ${files.length} files: ${line(counts)}`);
    for (const [f, c] of Object.entries(byFile)) console.log(`  ${f}: ${line(c)}`);
    for (const u of undetectable) console.log(`  undetectable: ${u}`);
    expect(cases).toBeGreaterThanOrEqual(500);
    expect(problems).toEqual([]);
    expect(counts.hepflowError).toBeGreaterThan(0);
    expect(counts.defect).toBe(0);
  }, 240_000);
});

describe("the fault suite's classifier and the checks it found missing", () => {
  /** The uncompressed file's record holding class `cls` named `name`. */
  const recordOf = (bytes: Uint8Array, cls: string, name?: string) => recordsOf(bytes).find((r) => r.key?.className === cls && (name === undefined || r.key.name === name))!;

  it("a changed value byte in a raw basket is undetectable; a tree that lost its branches is a defect", async () => {
    const file = files[0]!; // codec "none": every basket raw
    const original = (await readAll(file.bytes, file.name)) as ReadResult;
    const b = file.bytes.slice();
    const rec = recordOf(b, "TBasket", "run");
    b[rec.start + rec.key!.keyLen + 1]! ^= 0x10; // run[0]'s second byte (big-endian i32)
    const got = (await readAll(b, "flipped")) as ReadResult;
    expect(undetectableBecause(file.bytes, b, original, got)).toMatch(/raw TBasket payload of branch Events\.run \(1 byte/);
    // What the reader returned before it checked a tree's branches (issue 13 fault suite):
    // Events without columns after a byte of the streamer infos changed. Not a raw payload.
    const info = recordOf(b, "TList", "StreamerInfo");
    const m = file.bytes.slice();
    m[info.start + info.key!.keyLen + 100]! ^= 1;
    expect(undetectableBecause(file.bytes, m, original, { ...original, Events: {} })).toBeUndefined();
  });

  it("streamer infos, counters and key lists that read without error before are HepflowErrors now", async () => {
    const file = files[0]!;
    const at = (s: string, from = 0) => {
      const i = Buffer.from(file.bytes).indexOf(s, from);
      expect(i).toBeGreaterThan(0);
      return i;
    };
    const expectCorrupt = async (bytes: Uint8Array, code: string, what: RegExp) => {
      const e = await readAll(bytes, "damaged").then(
        () => undefined,
        (x: unknown) => x,
      );
      expect(e, `${what}: ${String(e)}`).toBeInstanceOf(HepflowError);
      expect((e as HepflowError).code).toBe(code);
      expect((e as Error).message).toMatch(what);
    };
    const info = recordOf(file.bytes, "TList", "StreamerInfo");
    // 1. TBranch's streamer info renamed: its branches used to be dropped, leaving an empty tree.
    let b = file.bytes.slice();
    b[at("\x07TBranch\x00", info.start) + 5] = 0x7f; // the info's own name (an empty title follows)
    await expectCorrupt(b, "ROOT_UNSUPPORTED", /a branch of .* cannot be read/);
    // 2. A member name inside TLeaf's streamer info zeroed: the element used to be misread and its end trusted.
    b = file.bytes.slice();
    const fLenType = at("fLenType", info.start);
    b.fill(0, fLenType - 1, fLenType + 8);
    await expectCorrupt(b, "ROOT_CORRUPT", /byte count/);
    // 3. Counts of nJet zeroed: Jet_pt used to take its offsets from them silently.
    b = file.bytes.slice();
    const nJet = recordOf(b, "TBasket", "nJet");
    b.fill(0, nJet.start + nJet.key!.keyLen, nJet.start + nJet.key!.keyLen + 40);
    await expectCorrupt(b, "ROOT_CORRUPT", /counter nJet/);
    // 4. The first key of a subdirectory's key list zeroed: it used to read as a nameless object.
    b = file.bytes.slice();
    const hists = recordsOf(b)
      .filter((r) => r.key?.className === "TDirectory" && r.key.name === "hists")
      .pop()!; // the key list, written last
    b.fill(0, hists.start + hists.key!.keyLen + 4 + 24, hists.start + hists.key!.keyLen + 4 + 64);
    await expectCorrupt(b, "ROOT_CORRUPT", /key 0 of the directory/);
    // 5. The top directory's fSeekKeys zeroed (its fNbytesKeys kept): used to read as an empty file.
    //    The TDirectory record (at fBEGIN + fNbytesName): version(2) ctime(4) mtime(4) nbyteskeys(4)
    //    nbytesname(4), then seekdir, seekparent, seekkeys of 4 bytes (8 when version > 1000).
    const view = new DataView(file.bytes.buffer, file.bytes.byteOffset);
    const top = view.getInt32(8) + view.getInt32(28);
    const wide = view.getInt16(top) > 1000;
    const seekAt = top + 18 + (wide ? 16 : 8),
      width = wide ? 8 : 4;
    b = file.bytes.slice();
    b.fill(0, seekAt, seekAt + width);
    await expectCorrupt(b, "ROOT_CORRUPT", /key list .* bytes at byte 0/);
    // 6. The top key list's key count zeroed: also used to read as an empty file.
    b = file.bytes.slice();
    const seekKeys = wide ? Number(view.getBigInt64(seekAt)) : view.getInt32(seekAt),
      ownKeyLen = view.getInt16(seekKeys + 14);
    b.fill(0, seekKeys + ownKeyLen, seekKeys + ownKeyLen + 4);
    await expectCorrupt(b, "ROOT_CORRUPT", /claims no keys/);
  });
});
