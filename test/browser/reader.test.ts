/**
 * The static in-browser reader (web/reader), built by Vite and served by a plain static server
 * (Range requests only, no compute), in Debian's Chromium: it must list and read TTrees and
 * RNTuples with every codec and give exactly the numbers the Node reader gives for the same
 * files — the Node reader itself is checked against ROOT/uproot references in test/root.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "vite";
import type { Browser, Page } from "playwright-core";
import { launchChromium } from "../helpers/browser.js";
import { ROOT_DATA } from "../shared.js";
import { startStaticServer } from "../../bench/lib/static-server.mjs";
import { createFile, openFile } from "../../src/root/index.js";
import { Hist, Regular } from "../../src/hist/index.js";
import { Jagged, type Column } from "../../src/util/index.js";

const REPO = path.resolve(fileURLToPath(new URL("../..", import.meta.url)));
const tmp = mkdtempSync(path.join(os.tmpdir(), "hepflow-reader-"));
let browser: Browser;
let page: Page;
let server: { url: string; close(): Promise<void> };
const consoleErrors: string[] = [];

/** The page's JSON form of a column (see web/reader/main.ts), built from the Node reader's column. */
function plain(c: Column): unknown {
  if (c instanceof Jagged) return { offsets: Array.from(c.offsets), content: plain(c.content as Column) };
  return Array.from(c as ArrayLike<number | bigint>, (v) => (typeof v === "bigint" ? v.toString() : v));
}

async function nodeRead(file: string, tree: string, branches: string[]): Promise<Record<string, unknown>> {
  const f = await openFile(file);
  try {
    const cols = await (await f.tree(tree)).arrays(branches);
    return Object.fromEntries(branches.map((b) => [b, plain(cols[b]!)]));
  } finally {
    await f.close();
  }
}

const pageRead = (url: string, tree: string, branches: string[]) =>
  page.evaluate(([u, t, b]) => (window as unknown as { hepflowReader: { read(u: string, t: string, b: string[]): Promise<Record<string, unknown>> } }).hepflowReader.read(u, t, b), [url, tree, branches] as const);

beforeAll(async () => {
  // Build the page into a temporary folder, so the test never reads a stale dist/reader.
  await build({ configFile: path.join(REPO, "vite.reader.config.ts"), build: { outDir: path.join(tmp, "site"), emptyOutDir: true }, logLevel: "error" });
  // RNTuples with the codecs ROOT's corpus files do not use (they are all ZSTD), written by hepflow.
  const n = 3000;
  const offsets = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) offsets[i + 1] = offsets[i]! + (i % 5);
  const m = offsets[n]!;
  mkdirSync(path.join(tmp, "data"));
  for (const codec of ["zlib:4", "lz4:4", "lzma:6", "zstd:5"]) {
    const w = await createFile(path.join(tmp, "data", `rntuple-${codec.split(":")[0]}.root`), { compression: codec });
    const nt = w.writeRNTuple(
      "Events",
      [
        { name: "x", type: "f32" },
        { name: "n", type: "i32" },
        { name: "v", type: "f64", counter: "n" },
      ],
      { pageBytes: 4096 },
    );
    nt.write({
      x: Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 40),
      n: Int32Array.from({ length: n }, (_, i) => i % 5),
      v: new Jagged(
        offsets,
        Float64Array.from({ length: m }, (_, i) => Math.cos(i * 0.37) * 1e3),
      ),
    });
    await w.close();
  }
  server = await startStaticServer({ "/": path.join(tmp, "site"), "/data/": ROOT_DATA, "/made/": path.join(tmp, "data") });
  browser = await launchChromium();
  page = await browser.newPage();
  page.on("console", (msg) => {
    if (msg.type() === "error") consoleErrors.push(msg.text());
  });
  page.on("pageerror", (e) => consoleErrors.push(e.message));
  await page.goto(`${server.url}/?file=${encodeURIComponent("/data/uproot-HZZ-zlib.root")}`);
  await page.waitForSelector("body[data-ready=true]");
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe("static in-browser reader", () => {
  test("lists the file's tree and branches in the page", async () => {
    expect(await page.textContent("#keys")).toContain("events");
    expect(await page.textContent("#keys")).toContain("TTree, 2421 entries");
    expect(await page.locator("#keys button[data-branch]").count()).toBe(51);
  });

  test.each(["zlib", "lz4", "lzma", "zstd", "uncompressed"])("TTree with %s: the same arrays as Node", async (codec) => {
    const branches = ["NJet", "Jet_Px", "Jet_btag", "Muon_Charge", "MET_px"];
    const got = await pageRead(`/data/uproot-HZZ-${codec}.root`, "events", branches);
    expect(got).toEqual(await nodeRead(path.join(ROOT_DATA, `uproot-HZZ-${codec}.root`), "events", branches));
  });

  test("TTree of flat doubles (Zmumu, lzma): the same arrays as Node", async () => {
    const branches = ["pt1", "eta1", "Q1", "M"];
    expect(await pageRead("/data/uproot-Zmumu-lzma.root", "events", branches)).toEqual(await nodeRead(path.join(ROOT_DATA, "uproot-Zmumu-lzma.root"), "events", branches));
  });

  test.each(["Run2012BC_DoubleMuParked_Muons_1000evts_rntuple_v1-0-0-0.root", "ntpl001_staff_rntuple_v1-0-1-0.root"])("ROOT-written RNTuple %s (ZSTD, XXH3 page checksums): the same arrays as Node", async (name) => {
    const f = await openFile(path.join(ROOT_DATA, name));
    const t = await f.tree((await f.keys()).find((k) => k.className.includes("RNTuple"))!.path);
    const branches = t.branches.filter((b) => !/string/i.test(b.typeName)).map((b) => b.name);
    await f.close();
    expect(branches.length).toBeGreaterThan(0);
    expect(await pageRead(`/data/${name}`, t.name, branches)).toEqual(await nodeRead(path.join(ROOT_DATA, name), t.name, branches));
  });

  test.each(["zlib", "lz4", "lzma", "zstd"])("RNTuple with %s: the same arrays as Node", async (codec) => {
    const branches = ["x", "n", "v"];
    expect(await pageRead(`/made/rntuple-${codec}.root`, "Events", branches)).toEqual(await nodeRead(path.join(tmp, "data", `rntuple-${codec}.root`), "Events", branches));
  });

  test("clicking a branch draws its histogram; bin contents equal a Node fill of the Node-read branch", async () => {
    await page.click("#keys button[data-branch=Jet_Px]");
    await page.waitForSelector("#plot[data-branch=Jet_Px] svg");
    expect(await page.locator("#plot svg path, #plot svg rect").count()).toBeGreaterThan(10);
    const drawn = await page.evaluate(() =>
      (window as unknown as { hepflowReader: { histogram(u: string, t: string, b: string): Promise<{ values: number[]; edges: number[] }> } }).hepflowReader.histogram("/data/uproot-HZZ-zlib.root", "events", "Jet_Px"),
    );
    const f = await openFile(path.join(ROOT_DATA, "uproot-HZZ-zlib.root"));
    const col = (await (await f.tree("events")).arrays(["Jet_Px"])).Jet_Px as Jagged<Float32Array>;
    await f.close();
    const e = drawn.edges;
    const h = new Hist([Regular(e.length - 1, e[0]!, e[e.length - 1]!)]).fill(Float64Array.from(col.content));
    expect(drawn.values).toEqual(Array.from(h.values()));
    // The page draws the central 98 % (quantile range, see fillBranch): at least that much is in the bins.
    const inRange = drawn.values.reduce((a, b) => a + b, 0);
    expect(inRange).toBeLessThanOrEqual(col.content.length);
    expect(inRange).toBeGreaterThanOrEqual(0.98 * col.content.length - 2);
  });

  test("a missing file is an error naming it in the page, not a crash", async () => {
    // Its own page: Chromium logs the 404 of the failed fetch as a console error, which belongs to this case only.
    const other = await browser.newPage();
    await other.goto(`${server.url}/`);
    await other.waitForSelector("body[data-ready=true]");
    const msg = await other.evaluate(() =>
      (window as unknown as { hepflowReader: { list(u: string): Promise<unknown> } }).hepflowReader.list("/data/no-such-file.root").then(
        () => "opened",
        (e: Error) => e.message,
      ),
    );
    expect(msg).toMatch(/no-such-file\.root.*no such file|no such file.*no-such-file\.root/s);
    await other.close();
  });

  test("the page logged no console errors", () => {
    expect(consoleErrors).toEqual([]);
  });
});
