import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { RootFile } from "../../src/root/file.js";
import { MemorySource } from "../../src/io/index.js";
import { HepflowError, type Columns } from "../../src/util/index.js";
import type { RNTuple } from "../../src/root/rntuple/index.js";
import { rootFile } from "../shared.js";

// Uncompressed, so a flipped byte reaches the checksum check instead of failing inside a codec.
const FILE = "rntviewer-testfile-uncomp-single-rntuple-v1-0-0-0.root";
const NAME = "Contributors";

async function openBytes(bytes: Uint8Array): Promise<RootFile> {
  return RootFile.open(new MemorySource(bytes, "corrupted.root"));
}

async function layout(): Promise<{ bytes: Uint8Array; nt: RNTuple }> {
  const bytes = new Uint8Array(readFileSync(rootFile(FILE)));
  const f = await openBytes(bytes);
  return { bytes, nt: (await f.tree(NAME)) as RNTuple };
}

describe("RNTuple corruption and truncation give errors, not garbage", () => {
  it("reads the intact file", async () => {
    const { nt } = await layout();
    expect(((await nt.arrays("lastName")).lastName as string[])[0]).toBe("Blomer");
  });

  it("detects a flipped byte in the header envelope", async () => {
    const { bytes, nt } = await layout();
    const bad = bytes.slice();
    bad[nt.anchor.seekHeader + 30]! ^= 0x01;
    const f = await openBytes(bad);
    await expect(f.tree(NAME)).rejects.toMatchObject({ code: "RNTUPLE_CHECKSUM" });
  });

  it("detects a flipped byte in the footer envelope", async () => {
    const { bytes, nt } = await layout();
    const bad = bytes.slice();
    bad[nt.anchor.seekFooter + 20]! ^= 0x80;
    await expect((await openBytes(bad)).tree(NAME)).rejects.toMatchObject({ code: "RNTUPLE_CHECKSUM" });
  });

  it("detects a flipped byte in a page", async () => {
    const { bytes, nt } = await layout();
    const page = nt.clusters[0]!.columns.find((c) => c?.pages.length && c.pages[0]!.hasChecksum)!.pages[0]!;
    const bad = bytes.slice();
    bad[page.locator.offset + 1]! ^= 0x04;
    const t = await (await openBytes(bad)).tree(NAME);
    await expect(t.arrays()).rejects.toMatchObject({ code: "RNTUPLE_CHECKSUM" });
  });

  it("detects a flipped byte in the anchor", async () => {
    const { bytes, nt } = await layout();
    const f = await openBytes(bytes);
    const key = await f.key(NAME);
    const bad = bytes.slice();
    // Seek Footer's lowest byte: a plausible but wrong value the anchor checksum must catch.
    bad[key.seekKey + key.keyLen + 6 + 8 + 3 * 8 + 7]! ^= 0x01;
    expect(nt.anchor.seekFooter).toBeGreaterThan(0);
    await expect((await openBytes(bad)).tree(NAME)).rejects.toMatchObject({ code: "RNTUPLE_CHECKSUM" });
  });

  it("reports a truncated file", async () => {
    const { bytes, nt } = await layout();
    const lastPage = Math.max(...nt.clusters[0]!.columns.flatMap((c) => c!.pages.map((p) => p.locator.offset)));
    const cut = bytes.slice(0, lastPage + 2);
    let error: unknown;
    try {
      const t = await (await openBytes(cut)).tree(NAME);
      await t.arrays();
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ name: "HepflowError" });
    expect((error as { code: string }).code).toMatch(/TRUNCATED/);
  });

  // Seeded random single-bit flips anywhere in the file: each read must either fail with a HepflowError or give
  // exactly the intact values (flips in bytes the reader never uses, e.g. other keys' headers). Never garbage,
  // never a TypeError/RangeError.
  for (const [file, name] of [
    [FILE, NAME],
    ["test_stl_containers_rntuple_v1-0-0-0.root", "ntuple"],
  ] as const) {
    it(`random bit flips in ${file}`, async () => {
      const bytes = new Uint8Array(readFileSync(rootFile(file)));
      const serialize = (c: Columns) =>
        JSON.stringify(c, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<unknown>, (x) => (typeof x === "bigint" ? x.toString() : x)) : v));
      const intact = serialize(await (await (await openBytes(bytes)).tree(name)).arrays());
      let seed = 2024;
      const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      let errors = 0;
      for (let i = 0; i < 120; i++) {
        const bad = bytes.slice();
        bad[Math.floor(random() * bad.length)]! ^= 1 << Math.floor(random() * 8);
        try {
          const got = serialize(await (await (await openBytes(bad)).tree(name)).arrays());
          expect(got).toBe(intact);
        } catch (e) {
          if (!(e instanceof HepflowError)) throw e;
          errors++;
        }
      }
      // Most of these small files is RNTuple metadata and pages, so most flips must be detected.
      expect(errors).toBeGreaterThan(40);
    });
  }
});
