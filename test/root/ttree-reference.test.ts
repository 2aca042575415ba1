import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openFile, type RootFile } from "../../src/root/index.js";
import { isJagged, type Column } from "../../src/util/index.js";
import { REFERENCE, rootFile } from "../shared.js";

/** Files with a JSROOT reference (shared/reference/root/README.md). */
const FILES = [
  "nanoAOD_2015_CMS_Open_Data_ttbar.root",
  "uproot-HZZ.root",
  "uproot-HZZ-lz4.root",
  "uproot-HZZ-lzma.root",
  "uproot-HZZ-zlib.root",
  "uproot-HZZ-zstd.root",
  "uproot-HZZ-uncompressed.root",
  "uproot-Zmumu.root",
  "uproot-Zmumu-lz4.root",
  "uproot-Zmumu-lzma.root",
  "uproot-Zmumu-zlib.root",
  "uproot-Zmumu-zstd.root",
  "uproot-Zmumu-uncompressed.root",
  "uproot-small-dy-withoffsets.root",
  "uproot-small-dy-nooffsets.root",
  "uproot-sample-6.20.04-uncompressed.root",
  "uproot-sample-6.20.04-zlib.root",
  "uproot-sample-6.20.04-lzma.root",
  "uproot-sample-6.20.04-lz4.root",
];

interface PathStats {
  count?: number;
  sum?: number | string | null;
  sum_exact?: string;
  min?: number | string | null;
  max?: number | string | null;
  wsum?: number | string | null;
  first?: unknown[];
  head?: unknown[];
  first_nonempty?: { entry: number; values: unknown[] };
  nan_count?: number;
  strings?: number;
}
interface RefBranch {
  name: string;
  read_ok: boolean;
  value_kind?: string;
  suspect?: string;
  paths?: Record<string, PathStats>;
}
interface RefTree {
  path: string;
  entries: number;
  branches: RefBranch[];
}

const opened: RootFile[] = [];
afterAll(async () => {
  for (const f of opened) await f.close();
});

/** The reference writes NaN/±Inf and big 64-bit integers as strings. */
function refNum(v: unknown): number {
  if (typeof v === "number") return v;
  if (v === "NaN") return NaN;
  if (v === "Infinity" || v === "inf") return Infinity;
  if (v === "-Infinity" || v === "-inf") return -Infinity;
  return Number(v);
}

function values(col: Column): ArrayLike<number | bigint> {
  return isJagged(col) ? (col.content as ArrayLike<number | bigint>) : (col as ArrayLike<number | bigint>);
}

function entry(col: Column, i: number): (number | bigint)[] {
  if (isJagged(col)) return Array.from(col.content as ArrayLike<number | bigint>).slice(col.offsets[i]!, col.offsets[i + 1]!);
  return [(col as ArrayLike<number | bigint>)[i]!];
}

/** Compensated (Neumaier) sum in entry order, as the reference computes it. */
function stats(vals: ArrayLike<number | bigint>) {
  let s = 0,
    comp = 0,
    w = 0,
    wc = 0,
    nan = 0,
    min = Infinity,
    max = -Infinity,
    exact = 0n;
  const isBig = typeof vals[0] === "bigint";
  for (let k = 0; k < vals.length; k++) {
    const raw = vals[k]!;
    if (isBig) exact += raw as bigint;
    const x = Number(raw);
    if (Number.isNaN(x)) {
      nan++;
      continue;
    }
    if (x < min) min = x;
    if (x > max) max = x;
    let t = s + x;
    comp += Math.abs(s) >= Math.abs(x) ? s - t + x : x - t + s;
    s = t;
    const y = ((k % 10) + 1) * x;
    t = w + y;
    wc += Math.abs(w) >= Math.abs(y) ? w - t + y : y - t + w;
    w = t;
  }
  if (!isBig)
    for (let k = 0; k < vals.length; k++) {
      const x = Number(vals[k]);
      if (Number.isInteger(x)) exact += BigInt(x);
    }
  return { sum: s + comp, wsum: w + wc, nan, min, max, exact };
}

/** Relative tolerance for sums: the reference's compensated sum and ours differ only in the last bits of rounding. */
const SUM_RTOL = 1e-12;

for (const name of FILES) {
  const ref = JSON.parse(readFileSync(path.join(REFERENCE, "root", `${name}.json`), "utf8")) as { trees: RefTree[] };
  describe(`TTree values agree with JSROOT: ${name}`, () => {
    for (const t of ref.trees) {
      it(`${t.path}: every branch JSROOT read`, async () => {
        const f = await openFile(rootFile(name));
        opened.push(f);
        const tree = await f.tree(t.path);
        expect(tree.numEntries).toBe(t.entries);
        let checked = 0;
        for (const b of t.branches) {
          const p = b.paths?.["."];
          if (!b.read_ok || !p || b.suspect) continue;
          const col = (await tree.arrays([b.name]))[b.name]!;
          const where = `${name}:${b.name}`;
          if (p.strings !== undefined) {
            expect(col, where).toBeInstanceOf(Array);
            expect((col as string[]).slice(0, p.first!.length), where).toEqual(p.first);
            checked++;
            continue;
          }
          const vals = values(col);
          expect(vals.length, where).toBe(p.count);
          const s = stats(vals);
          expect(s.nan, where).toBe(p.nan_count ?? 0);
          if (p.min !== null && p.min !== undefined) {
            expect(s.min, where).toBe(refNum(p.min));
            expect(s.max, where).toBe(refNum(p.max));
          }
          if (p.sum_exact !== undefined) expect(s.exact.toString(), where).toBe(p.sum_exact);
          if (typeof p.sum === "number") expect(Math.abs(s.sum - p.sum), where).toBeLessThanOrEqual(SUM_RTOL * Math.max(1, Math.abs(p.sum)));
          if (typeof p.wsum === "number") expect(Math.abs(s.wsum - p.wsum), where).toBeLessThanOrEqual(SUM_RTOL * Math.max(1, Math.abs(p.wsum)));
          if (p.head) p.head.forEach((v, i) => expect(entry(col, i).map(Number), `${where}[${i}]`).toEqual([refNum(v)]));
          if (p.first && !p.head && !isJagged(col)) expect(entry(col, 0).map(Number), where).toEqual(p.first.map(refNum));
          if (p.first_nonempty) expect(entry(col, p.first_nonempty.entry).slice(0, p.first_nonempty.values.length).map(Number), where).toEqual(p.first_nonempty.values.map(refNum));
          checked++;
        }
        expect(checked).toBeGreaterThan(0);
      });
    }
  });
}
