/**
 * `hepflow generate agc`: writes a synthetic AGC dataset (every sample and variation, several
 * files each, plus pseudo-data) and the `dataset.json` catalogue in the AGC schema. Each file
 * has its own seed derived from (seed, sample, file index), so the output does not depend on the
 * order or the number of workers that produce the files.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import { HepflowError, compiledModule, stopOnInterrupt, type ProgressListener } from "../util/index.js";
import { MODELS, XSEC, LUMINOSITY, SAMPLES } from "./model.js";
import { Rng } from "./rng.js";
import { writeSampleFile, type FileJob } from "./file.js";

export interface AgcOptions {
  /** Events per simulated sample (each process/variation), split over its files. */
  events: number;
  out: string;
  seed?: number;
  /** "zlib:1" (default), "lz4", "zstd:3", "lzma:6", "none". */
  compression?: string;
  filesPerSample?: number;
  /** Luminosity of the pseudo-data in pb^-1 (default: `defaultDataLuminosity(events)`). */
  dataLuminosity?: number;
  /** Go ahead although the output is estimated above `LARGE_OUTPUT_BYTES` (the CLI's --yes). */
  allowLarge?: boolean;
  /** Worker threads (default 1 = in this thread); the output is identical for any count. */
  workers?: number;
  onProgress?: ProgressListener;
}

/** What was generated, as also recorded in dataset.json. */
export interface AgcSummary {
  catalogue: string;
  files: number;
  events: number;
  bytes: number;
  seconds: number;
}

/**
 * The default pseudo-data luminosity for `events` simulated events per sample: the luminosity at
 * which nominal ttbar is expected `events` times, so the pseudo-data are about as large as the
 * simulation they are compared with (≈ 23 × `events` events over all processes), capped at the
 * analysis luminosity. `--events 100` gives 0.137 pb⁻¹ and about 2 300 events, not 56 million.
 */
export function defaultDataLuminosity(events: number): number {
  return Math.min(LUMINOSITY, events / XSEC.ttbar!);
}

/** Output size above which generateAgc wants `allowLarge` (the CLI asks for --yes). */
export const LARGE_OUTPUT_BYTES = 4e9;
/** Bytes per generated event on disk, measured at zlib:1 (8.9 GB for 55.8 M events); "none" stores about twice that. */
const BYTES_PER_EVENT = 160;

/** Generates the dataset; returns totals. */
export async function generateAgc(o: AgcOptions): Promise<AgcSummary> {
  const t0 = performance.now();
  if (!(Number.isInteger(o.events) && o.events > 0)) throw new HepflowError("CONFIG_INVALID", `--events must be a positive integer, got ${o.events}`);
  const k = o.filesPerSample ?? 2;
  if (!(Number.isInteger(k) && k > 0)) throw new HepflowError("CONFIG_INVALID", `--files-per-sample must be a positive integer, got ${k}`);
  const seed = o.seed ?? 1;
  const compression = o.compression ?? "zlib:1";
  const dataLumi = o.dataLuminosity ?? defaultDataLuminosity(o.events);
  if (!(Number.isFinite(dataLumi) && dataLumi >= 0)) throw new HepflowError("CONFIG_INVALID", `--data-lumi must be a non-negative number of pb^-1, got ${dataLumi}`);
  const expectedEvents = SAMPLES.length * o.events + Object.values(XSEC).reduce((s, x) => s + x * dataLumi, 0);
  const expectedBytes = expectedEvents * BYTES_PER_EVENT * (compression === "none" ? 2 : 1);
  if (expectedBytes > LARGE_OUTPUT_BYTES && !o.allowLarge) {
    throw new HepflowError(
      "GENERATE_TOO_LARGE",
      `this would write about ${(expectedEvents / 1e6).toFixed(1)} M events, ~${(expectedBytes / 1e9).toFixed(1)} GB (pseudo-data at ${dataLumi} pb^-1); pass --yes to go ahead, or lower --events / --data-lumi`,
    );
  }
  const out = path.resolve(o.out);
  try {
    fs.mkdirSync(out, { recursive: true });
  } catch (e) {
    throw new HepflowError("GENERATE_IO", `cannot create the output directory: ${(e as Error).message}`, { file: out });
  }
  const jobs: FileJob[] = [];
  const catalogue: Record<string, Record<string, unknown>> = {};
  for (const [proc, variation] of SAMPLES) {
    const files = [];
    let first = 0;
    for (let f = 0; f < k; f++) {
      const n = Math.floor(o.events / k) + (f < o.events % k ? 1 : 0);
      if (n === 0) continue;
      const file = path.join(out, proc, variation, `synthetic_${proc}_${variation}_${String(f).padStart(4, "0")}.root`);
      jobs.push({ path: file, compression, parts: [{ sample: `${proc}__${variation}`, events: n, firstEvent: first, seedKey: `${seed}/${proc}/${variation}/${f}` }] });
      files.push({ path: file, nevts: n });
      first += n;
    }
    (catalogue[proc] ??= {})[variation] = { nevts_total: first, files, xsec: XSEC[proc] };
  }
  // Pseudo-data: each nominal process drawn with Poisson(sigma * L_data) events.
  const counts = new Rng(`${seed}/data/counts`);
  const drawn: Record<string, number> = {};
  const expected: Record<string, number> = {};
  for (const [proc, variation] of SAMPLES) {
    if (variation !== "nominal") continue;
    expected[proc] = XSEC[proc]! * dataLumi;
    drawn[proc] = counts.poisson(expected[proc]!);
  }
  const dataFiles = [];
  let dataTotal = 0;
  // Luminosity 0 means "no pseudo-data": no data files and no data entry in the catalogue.
  for (let f = 0; f < (dataLumi > 0 ? k : 0); f++) {
    const file = path.join(out, "data", "pseudodata", `synthetic_data_${String(f).padStart(4, "0")}.root`);
    const parts = Object.keys(drawn).map((proc) => {
      const n = Math.floor(drawn[proc]! / k) + (f < drawn[proc]! % k ? 1 : 0);
      return { sample: `${proc}__nominal`, events: n, firstEvent: dataTotal, seedKey: `${seed}/data/${proc}/${f}` };
    });
    const n = parts.reduce((s, p) => s + p.events, 0);
    let first = dataTotal;
    for (const p of parts) {
      p.firstEvent = first;
      first += p.events;
    }
    jobs.push({ path: file, compression, parts });
    dataFiles.push({ path: file, nevts: n });
    dataTotal += n;
  }
  const truth = {
    description: "pseudo-data: every nominal process drawn with Poisson(xsec * luminosity) events from the same model as its simulation",
    luminosity_pb: dataLumi,
    analysis_luminosity_pb: LUMINOSITY,
    // The signal strength a fit of the AGC model (normalised to the analysis luminosity) should find.
    mu_ttbar: dataLumi / LUMINOSITY,
    expected_events: expected,
    drawn_events: drawn,
    seed,
  };
  if (dataLumi > 0) catalogue.data = { nominal: { nevts_total: dataTotal, files: dataFiles, truth } };
  let done = 0;
  const totalEvents = jobs.reduce((s, j) => s + j.parts.reduce((a, p) => a + p.events, 0), 0);
  const report = (n: number, label: string): void => {
    done += n;
    o.onProgress?.({ unit: "events", done, total: totalEvents, rate: done / ((performance.now() - t0) / 1000), label });
  };
  await runJobs(jobs, Math.max(1, o.workers ?? 1), report);
  const catFile = path.join(out, "dataset.json");
  fs.writeFileSync(catFile, JSON.stringify(catalogue, null, 1) + "\n");
  fs.writeFileSync(path.join(out, "truth.json"), JSON.stringify({ ...truth, models: MODELS }, null, 1) + "\n");
  const bytes = jobs.reduce((s, j) => s + fs.statSync(j.path).size, 0);
  return { catalogue: catFile, files: jobs.length, events: totalEvents, bytes, seconds: (performance.now() - t0) / 1000 };
}

async function runJobs(jobs: FileJob[], workers: number, report: (n: number, label: string) => void): Promise<void> {
  if (workers <= 1) {
    for (const j of jobs) {
      await writeSampleFile(j);
      report(
        j.parts.reduce((s, p) => s + p.events, 0),
        path.basename(j.path),
      );
    }
    return;
  }
  const url = compiledModule(import.meta.url, "./worker.js");
  let next = 0;
  const run = async (): Promise<void> => {
    while (next < jobs.length) {
      const job = jobs[next++]!;
      await new Promise<void>((resolve, reject) => {
        const w = new Worker(url, { workerData: job });
        const stop = stopOnInterrupt(() => w.terminate());
        w.once("exit", () => stop.release());
        w.once("message", (m: { error?: string }) => (m.error ? reject(new HepflowError("GENERATE_FAILED", m.error, { file: job.path })) : resolve()));
        w.once("error", reject);
      });
      report(
        job.parts.reduce((s, p) => s + p.events, 0),
        path.basename(job.path),
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(workers, jobs.length) }, run));
}
