/**
 * The static in-browser reader: hepflow's own ROOT reader, HTTP source, histograms and plots
 * bundled for the page (export condition "browser"). The page lists a file's trees and
 * branches and draws a branch; `window.hepflowReader` exposes the same calls to tests and the
 * benchmark.
 */
import { HttpSource } from "../../src/io/index.js";
import { RootFile, type TreeLike } from "../../src/root/index.js";
import { Hist, Regular } from "../../src/hist/index.js";
import { hist1dFromHist, histogramPlot, renderSVG } from "../../src/plot/index.js";
import { isJagged, type Column } from "../../src/util/index.js";

/**
 * One range per request: many static servers and CDNs answer multi-range requests badly. Blocks
 * and merge gaps of 1 MiB (Node's default: 64 kB): a request costs a browser several ms of its own
 * network code, so fewer larger ones win even when they fetch more bytes (the AGC branches of
 * bench/browser.bench.mjs: 4 requests instead of 8, 62–69 ms instead of 111–145 ms for ZSTD).
 */
const open = (url: string) => RootFile.open(new HttpSource(new URL(url, location.href).href, { multiRange: false, blockSize: 1 << 20, coalesceGap: 1 << 20 }));

async function readTree(url: string, tree: string): Promise<{ file: RootFile; tree: TreeLike }> {
  const file = await open(url);
  return { file, tree: await file.tree(tree) };
}

/** A column as a flat list of numbers (jagged ones flattened): what a histogram fills with. */
function flat(col: Column): ArrayLike<number> {
  let c: unknown = col;
  while (isJagged(c as Column)) c = (c as { content: unknown }).content;
  if (ArrayBuffer.isView(c)) return c as unknown as ArrayLike<number>;
  if (Array.isArray(c)) return c.map(Number);
  throw new Error("this branch holds no numbers");
}

function asPlain(col: Column): unknown {
  if (isJagged(col)) return { offsets: Array.from(col.offsets), content: asPlain(col.content as Column) };
  if (ArrayBuffer.isView(col)) return Array.from(col as unknown as ArrayLike<number | bigint>, (v) => (typeof v === "bigint" ? v.toString() : v));
  return col;
}

/**
 * Histogram of a branch with 50 bins over the central 98 % of its finite values (1 % and
 * 99 % quantiles), so a few far outliers do not squash the distribution into a single bin;
 * the rest go to the flow bins.
 */
function fillBranch(name: string, values: ArrayLike<number>): Hist {
  const finite = Float64Array.from(values).filter(Number.isFinite).sort();
  let lo = finite.length ? finite[Math.floor(0.01 * (finite.length - 1))]! : 0;
  let hi = finite.length ? finite[Math.ceil(0.99 * (finite.length - 1))]! : 1;
  if (!(lo < hi)) {
    lo -= 0.5;
    hi = lo + 1;
  }
  // Upper edges are exclusive: widen a hair so the quantile value itself is drawn.
  else hi += (hi - lo) * 1e-6;
  const h = new Hist([Regular(50, lo, hi, { label: name })]);
  h.fill(Float64Array.from(values));
  return h;
}

const api = {
  /** Trees and RNTuples of a file, with their branches. */
  async list(url: string) {
    const file = await open(url);
    try {
      const out: { path: string; className: string; entries?: number; branches?: { name: string; typeName: string }[] }[] = [];
      for (const k of await file.keys()) {
        if (k.className === "TTree" || k.className.includes("RNTuple") || k.className === "TNtuple") {
          const t = await file.tree(k.path);
          out.push({ path: k.path, className: k.className, entries: t.numEntries, branches: t.branches.map((b) => ({ name: b.name, typeName: b.typeName })) });
        } else out.push({ path: k.path, className: k.className });
      }
      return out;
    } finally {
      await file.close();
    }
  },
  /** Columns of a tree as plain JSON (offsets and contents of jagged ones), for comparison with Node. */
  async read(url: string, tree: string, branches: string[]) {
    const r = await readTree(url, tree);
    try {
      const cols = await r.tree.arrays(branches);
      return Object.fromEntries(branches.map((b) => [b, asPlain(cols[b]!)]));
    } finally {
      await r.file.close();
    }
  },
  /** Milliseconds to open a file and read `branches` (the benchmark's timed call). */
  async time(url: string, tree: string, branches: string[]) {
    const t0 = performance.now();
    const r = await readTree(url, tree);
    const cols = await r.tree.arrays(branches);
    let n = 0;
    for (const b of branches) n += flat(cols[b]!).length;
    const ms = performance.now() - t0;
    const { requests, bytes } = (r.file.source as HttpSource).stats;
    await r.file.close();
    return { ms, values: n, requests, bytes };
  },
  /** JSROOT reading the same branches in this page (the benchmark's comparison; loaded on first use). */
  async jsroot(url: string, tree: string, branches: string[]) {
    const { timeJsroot } = await import("./jsroot-read.js");
    return timeJsroot(new URL(url, location.href).href, tree, branches);
  },
  /** Bin contents of the page's histogram of a branch. */
  async histogram(url: string, tree: string, branch: string) {
    const r = await readTree(url, tree);
    try {
      const h = fillBranch(branch, flat((await r.tree.arrays([branch]))[branch]!));
      return { values: Array.from(h.values()), edges: Array.from((h.axes[0] as unknown as { edges: ArrayLike<number> }).edges) };
    } finally {
      await r.file.close();
    }
  },
};
(window as unknown as { hepflowReader: typeof api }).hepflowReader = api;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = (text: string, error = false) => {
  const s = $("status");
  s.textContent = text;
  s.className = error ? "error" : "";
};

async function draw(url: string, tree: string, branch: string): Promise<void> {
  status(`reading ${branch}…`);
  const t0 = performance.now();
  const r = await readTree(url, tree);
  try {
    const h = fillBranch(branch, flat((await r.tree.arrays([branch]))[branch]!));
    const svg = await renderSVG(histogramPlot(hist1dFromHist(h, branch), { xTitle: branch, yTitle: "Entries / bin" }));
    const box = $("plot");
    box.innerHTML = svg;
    box.dataset.branch = branch;
    status(`${tree}/${branch}: ${Math.round(performance.now() - t0)} ms`);
  } finally {
    await r.file.close();
  }
}

async function show(url: string): Promise<void> {
  status("opening…");
  const keys = $("keys");
  keys.replaceChildren();
  const listing = await api.list(url);
  const ul = document.createElement("ul");
  for (const k of listing) {
    const li = document.createElement("li");
    li.textContent = k.path;
    const type = document.createElement("span");
    type.className = "type";
    type.textContent = k.entries === undefined ? k.className : `${k.className}, ${k.entries} entries`;
    li.append(type);
    if (k.branches) {
      const sub = document.createElement("ul");
      for (const b of k.branches) {
        const bl = document.createElement("li");
        const btn = document.createElement("button");
        btn.textContent = b.name;
        btn.dataset.branch = b.name;
        btn.addEventListener("click", () => {
          draw(url, k.path, b.name).catch((e: unknown) => status(String((e as Error).message ?? e), true));
        });
        const t = document.createElement("span");
        t.className = "type";
        t.textContent = b.typeName;
        bl.append(btn, t);
        sub.append(bl);
      }
      li.append(sub);
    }
    ul.append(li);
  }
  keys.append(ul);
  status(`${listing.length} keys`);
  document.body.dataset.ready = "true";
}

$("open").addEventListener("submit", (e) => {
  e.preventDefault();
  const url = $<HTMLInputElement>("url").value;
  history.replaceState(null, "", `?file=${encodeURIComponent(url)}`);
  show(url).catch((err: unknown) => status(String((err as Error).message ?? err), true));
});
const initial = new URLSearchParams(location.search).get("file");
if (initial) {
  $<HTMLInputElement>("url").value = initial;
  show(initial).catch((err: unknown) => status(String((err as Error).message ?? err), true));
} else document.body.dataset.ready = "true";
