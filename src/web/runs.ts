/**
 * Runs in progress: `hepflow run --live` started from the page (a processor folder and a dataset
 * inside the root, with the CLI's own options only — never a command line), and runs started in a
 * terminal with `--live`, found by their OUT/live.json under the root. Both are read the same way:
 * the live file the run replaces five times a second.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { fromAccumulator, type Hist, type HistAccumulator } from "../hist/index.js";
import { hist1dFromHist, hist2dFromHist, histogramPlot, hist2dPlot, type VegaLiteSpec } from "../plot/index.js";
import { HepflowError } from "../util/index.js";
import { resolveInRoot, resolveKind } from "./security.js";

/** What the page may ask for: the processor folder, the dataset, and a few options of `hepflow run`. */
export interface RunRequest {
  processor: string;
  dataset: string;
  workers?: number;
  chunkSize?: number;
  maxFiles?: number;
  params?: Record<string, string | number | boolean>;
}

/** One histogram of a live accumulator, reduced to 1D or 2D for display. */
export interface LiveHistogram {
  name: string;
  dimension: number;
  /** Category axes and their categories (what the reduction picked or summed). */
  categories: Array<{ axis: string; values: string[]; picked: string | null }>;
  edges: number[];
  values: number[];
  sum: number;
  spec: VegaLiteSpec;
}

export interface LiveView {
  id: string;
  dir: string;
  state: string;
  done: number;
  total: number;
  rate: number;
  samples: unknown[];
  failures: unknown[];
  /** Per worker: chunks, events and failed attempts so far (thread-N, main, or a remote worker's host:pid). */
  workers: unknown[];
  /** The latest failed attempts, retried ones included. */
  attempts: unknown[];
  started?: string;
  updated?: string;
  error?: string;
  startedHere: boolean;
  histograms: LiveHistogram[];
  log?: string[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,100}$/;

/** The `hepflow` launcher of this installation (bin/hepflow.js beside dist/ or src/). */
export function hepflowBin(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "bin", "hepflow.js");
}

export class RunManager {
  private readonly children = new Map<string, { child: ChildProcess; log: string[]; dir: string }>();
  private seq = 0;

  constructor(
    private readonly root: string,
    private readonly runsDir: string,
  ) {}

  /** Starts `hepflow run PROCESSOR --dataset DATASET --out RUNSDIR/run-… --live` with only validated options. */
  start(r: RunRequest): { id: string; dir: string } {
    const processor = resolveKind(this.root, r.processor, "dir");
    if (!existsSync(path.join(processor, "index.mjs")) && !existsSync(path.join(processor, "index.js"))) {
      throw new HepflowError("UI_BAD_REQUEST", "a processor folder holds index.mjs (or index.js)", { file: r.processor });
    }
    const dataset = resolveKind(this.root, r.dataset, "file");
    const args = [hepflowBin(), "run", processor, "--dataset", dataset, "--live"];
    const int = (name: string, v: number | undefined, lo: number, hi: number) => {
      if (v === undefined) return;
      if (!Number.isInteger(v) || v < lo || v > hi) throw new HepflowError("UI_BAD_REQUEST", `${name} must be an integer in [${lo}, ${hi}]`);
      args.push(`--${name}`, String(v));
    };
    int("workers", r.workers, 0, 256);
    int("chunk-size", r.chunkSize, 1, 1e9);
    int("max-files", r.maxFiles, 1, 1e6);
    for (const [k, v] of Object.entries(r.params ?? {})) {
      const text = String(v);
      if (!NAME.test(k) || !["string", "number", "boolean"].includes(typeof v) || /[\0\n\r]/.test(text) || text.length > 1000) throw new HepflowError("UI_BAD_REQUEST", `bad processor parameter ${JSON.stringify(k)}`);
      args.push("-P", `${k}=${text}`);
    }
    mkdirSync(this.runsDir, { recursive: true });
    const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\..*/, "");
    const out = path.join(this.runsDir, `run-${stamp}-${process.pid}-${++this.seq}`);
    args.push("--out", out);
    const child = spawn(process.execPath, ["--single-threaded-gc", "--interrupt-budget=270336", ...args], { cwd: this.root, stdio: ["ignore", "pipe", "pipe"], shell: false });
    const log: string[] = [];
    const keep = (b: Buffer) => {
      for (const line of b.toString().split(/\r?\n|\r/)) if (line.trim()) log.push(line);
      if (log.length > 200) log.splice(0, log.length - 200);
    };
    child.stdout!.on("data", keep);
    child.stderr!.on("data", keep);
    const id = idOf(this.root, out);
    this.children.set(id, { child, log, dir: out });
    child.on("exit", (code, sig) => {
      log.push(`exit ${code ?? sig}`);
    });
    return { id, dir: path.relative(this.root, out) };
  }

  /** The live runs: started here, or found as DIR/live.json under the root (three folders deep). */
  list(): Array<Omit<LiveView, "histograms">> {
    const dirs = new Set<string>();
    for (const c of this.children.values()) dirs.add(c.dir);
    const walk = (dir: string, depth: number) => {
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch {
        return;
      }
      if (names.includes("live.json")) dirs.add(dir);
      if (depth === 0) return;
      for (const n of names) {
        if (n.startsWith(".") || n === "node_modules") continue;
        const p = path.join(dir, n);
        try {
          if (statSync(p).isDirectory()) walk(p, depth - 1);
        } catch {
          /* vanished */
        }
      }
    };
    walk(this.root, 3);
    const out = [];
    for (const d of dirs) {
      try {
        const { histograms: _h, ...rest } = this.view(idOf(this.root, d), false);
        out.push(rest);
      } catch {
        /* not started yet, or not inside the root */
      }
    }
    return out.sort((a, b) => (b.started ?? "").localeCompare(a.started ?? ""));
  }

  /** The live file's path of a run id (checked to be inside the root). */
  liveFile(id: string): string {
    return path.join(this.children.get(id)?.dir ?? dirOf(this.root, id), "live.json");
  }

  /** The state of one run, with its histograms reduced for display (`pick`: category choices by axis name). */
  view(id: string, withHistograms = true, pick: Record<string, string> = {}): LiveView {
    const mine = this.children.get(id);
    // a run started here may not have created its folder yet
    const dir = mine?.dir ?? dirOf(this.root, id);
    const file = path.join(dir, "live.json");
    if (!existsSync(file)) {
      if (mine)
        return {
          id,
          dir: path.relative(this.root, dir),
          state: mine.child.exitCode === null ? "starting" : "failed",
          done: 0,
          total: 0,
          rate: 0,
          samples: [],
          failures: [],
          workers: [],
          attempts: [],
          startedHere: true,
          histograms: [],
          log: mine.log.slice(-30),
        };
      throw new HepflowError("UI_NOT_FOUND", "no live run here", { file: path.relative(this.root, dir) });
    }
    const j = JSON.parse(readFileSync(file, "utf8")) as {
      state: string;
      done: number;
      total: number;
      rate: number;
      samples: unknown[];
      failures: unknown[];
      workers?: unknown[];
      attempts?: unknown[];
      started: string;
      updated: string;
      error?: string;
      pid?: number;
      accumulator: unknown;
    };
    let state = j.state;
    // a run that died without writing its last state (killed) is not running any more
    if (state === "running" && j.pid !== undefined && !alive(j.pid)) state = "stopped";
    if (mine && state === "running" && mine.child.exitCode !== null) state = "failed";
    return {
      id,
      dir: path.relative(this.root, dir),
      state,
      done: j.done,
      total: j.total,
      rate: j.rate,
      samples: j.samples,
      failures: j.failures,
      workers: j.workers ?? [],
      attempts: j.attempts ?? [],
      started: j.started,
      updated: j.updated,
      error: j.error,
      startedHere: mine !== undefined,
      histograms: withHistograms ? liveHistograms(j.accumulator, pick) : [],
      log: mine?.log.slice(-30),
    };
  }

  /** Stops a run this app started (SIGINT: the run removes its partial output, as on Ctrl-C). */
  stop(id: string): void {
    const mine = this.children.get(id);
    if (!mine) throw new HepflowError("UI_BAD_REQUEST", "only runs started from this page can be stopped here");
    if (mine.child.exitCode === null) mine.child.kill("SIGINT");
  }

  /** Ends the runs this app started (when the server stops). */
  closeAll(): void {
    for (const { child } of this.children.values()) if (child.exitCode === null) child.kill("SIGINT");
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

const idOf = (root: string, dir: string) => Buffer.from(path.relative(root, dir) || ".").toString("base64url");

function dirOf(root: string, id: string): string {
  if (!/^[A-Za-z0-9_-]{1,2000}$/.test(id)) throw new HepflowError("UI_BAD_REQUEST", "bad run id");
  const rel = Buffer.from(id, "base64url").toString();
  return resolveInRoot(root, rel === "." ? "" : rel);
}

/** Every histogram accumulator in a (JSON-decoded) accumulator, with its key path. */
function findHistograms(acc: unknown, at: string, out: Array<[string, HistAccumulator]>): void {
  if (acc === null || typeof acc !== "object" || out.length >= 50) return;
  if (typeof (acc as { hepflowHist?: unknown }).hepflowHist === "string") {
    const a: HistAccumulator = { hepflowHist: (acc as { hepflowHist: string }).hepflowHist };
    for (const [k, v] of Object.entries(acc)) if (Array.isArray(v)) a[k] = Float64Array.from(v as number[]);
    out.push([at, a]);
    return;
  }
  if (Array.isArray(acc)) return;
  for (const [k, v] of Object.entries(acc)) findHistograms(v, at ? `${at}/${k}` : k, out);
}

/**
 * Histograms of a live accumulator for display: a category axis shows the chosen category, else
 * "nominal" when it has one (systematic variations are not summed), else the sum of its categories.
 */
export function liveHistograms(acc: unknown, pick: Record<string, string> = {}): LiveHistogram[] {
  const found: Array<[string, HistAccumulator]> = [];
  findHistograms(acc, "", found);
  const out: LiveHistogram[] = [];
  for (const [name, a] of found) {
    let h: Hist;
    try {
      h = fromAccumulator(a);
    } catch {
      continue;
    }
    const categories: LiveHistogram["categories"] = [];
    for (const ax of [...h.axes]) {
      if (!ax.isCategory) continue;
      const raws = (ax as unknown as { categories: readonly (string | number)[] }).categories ?? [];
      const values = raws.map(String);
      const want = pick[ax.name] ?? (values.includes("nominal") ? "nominal" : undefined);
      const raw = want === undefined ? undefined : raws.find((c) => String(c) === want);
      if (want !== undefined && raw !== undefined) {
        h = h.pick({ [ax.name]: raw });
        categories.push({ axis: ax.name, values, picked: want });
      } else {
        h = h.sumOver(ax.name);
        categories.push({ axis: ax.name, values, picked: null });
      }
      if (h.rank === 0) break;
    }
    const title = (d: number) => {
      const a = h.axes[d];
      return a ? a.label || a.name : "";
    };
    try {
      if (h.rank === 1) {
        const one = hist1dFromHist(h, name);
        const values = Array.from(one.values);
        out.push({
          name,
          dimension: 1,
          categories,
          edges: Array.from(one.edges),
          values,
          sum: values.reduce((s, v) => s + v, 0),
          spec: histogramPlot(one, { xTitle: title(0) || name, experiment: "none", title: name }),
        });
      } else if (h.rank === 2) {
        const two = hist2dFromHist(h, name);
        const values = Array.from(two.values);
        out.push({
          name,
          dimension: 2,
          categories,
          edges: Array.from(two.xEdges),
          values,
          sum: values.reduce((s, v) => s + v, 0),
          spec: hist2dPlot(two, { xTitle: title(0), yTitle: title(1), experiment: "none", title: name }),
        });
      }
    } catch {
      /* e.g. all categories: nothing numeric to draw */
    }
  }
  return out;
}
