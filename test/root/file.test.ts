import { describe, expect, it } from "vitest";
import { openFile, compress, decompress, parseCompression, loadStreamerInfos } from "../../src/root/index.js";
import { isHepflowError } from "../../src/util/index.js";
import { MemorySource } from "../../src/io/index.js";
import { readFileSync } from "node:fs";
import { rootFile } from "../shared.js";

describe("ROOT file header, keys and directories", () => {
  it("lists nested directories with their paths", async () => {
    const f = await openFile(rootFile("uproot-nesteddirs.root"));
    const keys = (await f.keys()).map((k) => `${k.path}:${k.className}`);
    expect(keys).toEqual(["one:TDirectory", "one/two:TDirectory", "one/two/tree:TTree", "one/tree:TTree", "three:TDirectory", "three/tree:TTree"]);
    expect((await f.key("one/two/tree")).className).toBe("TTree");
    await f.close();
  });

  it.each([
    ["uproot-HZZ-zlib.root", "zlib"],
    ["uproot-HZZ-lz4.root", "lz4"],
    ["uproot-HZZ-lzma.root", "lzma"],
    ["uproot-HZZ-zstd.root", "zstd"],
  ])("decompresses the TTree object of %s (%s)", async (name, codec) => {
    const f = await openFile(rootFile(name));
    expect(f.header.compression.codec).toBe(codec);
    const key = await f.key("events");
    const payload = await f.readKeyPayload(key);
    expect(payload.length).toBe(key.objLen);
    // The TTree streamer starts with a byte count word whose top bit (0x40000000) is set.
    expect(payload[0]! & 0x40).toBe(0x40);
    await f.close();
  });

  it("reuses a parsed streamer list only for byte-identical lists, as a copy per file", async () => {
    const names = async (name: string) => {
      const f = await openFile(rootFile(name));
      const registry = await loadStreamerInfos(f);
      await f.close();
      return registry;
    };
    const [zlib, zlibAgain, lzma, nested] = [await names("uproot-HZZ-zlib.root"), await names("uproot-HZZ-zlib.root"), await names("uproot-HZZ-lzma.root"), await names("uproot-nesteddirs.root")];
    expect(zlibAgain).not.toBe(zlib); // a caller may extend its registry without touching another file's
    expect([...zlibAgain.keys()]).toEqual([...zlib.keys()]);
    expect(zlibAgain.get("TTree")).toEqual(zlib.get("TTree"));
    // the LZMA copy's list is compressed differently, so parsed on its own, and describes the same classes
    expect([...lzma.keys()].sort()).toEqual([...zlib.keys()].sort());
    // another list is not served from the cache: nesteddirs declares the Event class, HZZ does not
    expect(nested.has("Event")).toBe(true);
    expect(zlib.has("Event")).toBe(false);
  });

  it("names the missing object and lists what the directory has", async () => {
    const f = await openFile(rootFile("uproot-nesteddirs.root"));
    await expect(f.key("one/nope")).rejects.toThrow(/no object "nope" in one \(has: two, tree\)/);
    await f.close();
  });

  it("rejects a non-ROOT file and a truncated one with HepflowErrors", async () => {
    await expect(openFile(new MemorySource(new TextEncoder().encode("hello world, not root"), "x.txt"))).rejects.toThrow(/not a ROOT file/);
    const bytes = readFileSync(rootFile("uproot-HZZ-zlib.root"));
    const err = await openFile(new MemorySource(bytes.subarray(0, 5000), "cut.root")).catch((e) => e);
    expect(isHepflowError(err)).toBe(true);
    expect(String(err.message)).toMatch(/cut\.root/);
  });
});

describe("compression round trip", () => {
  const data = new Uint8Array(3_000_000);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7919) % 251 < 60 ? i % 13 : 0;
  it.each(["zlib:1", "zlib:9", "lzma:1", "lz4:4", "zstd:5"])("%s spans several 16 MiB-limited blocks correctly", (s) => {
    const big = new Uint8Array(20_000_000); // larger than one block (0xffffff bytes)
    big.set(data, 0);
    big.set(data, 17_000_000);
    const c = compress(big, parseCompression(s));
    expect(c.length).toBeLessThan(big.length);
    expect(Buffer.compare(decompress(c, big.length), big)).toBe(0);
  });
  it("detects an LZ4 checksum mismatch", () => {
    const c = compress(data, parseCompression("lz4"));
    c[20]! ^= 0xff;
    expect(() => decompress(c, data.length, { file: "f.root", object: "basket" })).toThrow(/f\.root: basket: LZ4 checksum mismatch/);
  });
  it("rejects unknown algorithms by name", () => {
    const c = new Uint8Array([81, 81, 1, 5, 0, 0, 5, 0, 0, 1, 2, 3, 4, 5]);
    expect(() => decompress(c, 20)).toThrow(/unknown compression algorithm "QQ"/);
  });
});
