/**
 * Input histograms for the builder: a 1D template (in-range bin edges, yields, variances) read
 * by `file:path` from ROOT files (through root/) or from JSON histogram files, plus rebinning
 * onto a region's target binning.
 */
import { readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { HepflowError } from "../../util/index.js";
import { openFile } from "../../root/index.js";
import type { RootFile, RootHistogram } from "../../root/index.js";

/** A 1D histogram restricted to its in-range bins. */
export interface Template {
  edges: Float64Array;
  yields: Float64Array;
  /** Per-bin sum of squared weights. */
  variances: Float64Array;
}

/** Convert a ROOT TH1 into a template; without stored sumw2, variances equal the contents (ROOT's convention). */
export function templateFromRoot(h: RootHistogram, where: string): Template {
  if (h.dimension !== 1) throw new HepflowError("HISTOGRAM_INVALID", `${where} is a ${h.dimension}D histogram; the builder needs 1D templates`);
  const n = h.xaxis.nbins;
  const edges = h.xaxis.edges ? Float64Array.from(h.xaxis.edges) : Float64Array.from({ length: n + 1 }, (_, i) => h.xaxis.xmin + ((h.xaxis.xmax - h.xaxis.xmin) * i) / n);
  const yields = h.contents.slice(1, n + 1);
  const variances = h.sumw2 && h.sumw2.length === h.contents.length ? h.sumw2.slice(1, n + 1) : yields.slice();
  return { edges, yields, variances };
}

/**
 * Convert one entry of a JSON histogram file: `{edges: [n+1], contents: [n+2 with flows] or [n],
 * variances|sumw2?: same length}`. Without variances the contents are used (as for ROOT).
 */
export function templateFromJson(value: unknown, where: string): Template {
  const o = value as Record<string, unknown>;
  const nums = (k: string): number[] | undefined => {
    const v = o?.[k];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || !v.every((x) => typeof x === "number")) throw new HepflowError("HISTOGRAM_INVALID", `${where}: "${k}" must be a list of numbers`);
    return v;
  };
  const edges = nums("edges");
  const contents = nums("contents");
  if (!edges || !contents || edges.length < 2) throw new HepflowError("HISTOGRAM_INVALID", `${where} needs "edges" (n+1 numbers) and "contents"`);
  const n = edges.length - 1;
  const inRange = (a: number[], k: string): Float64Array => {
    if (a.length === n + 2) return Float64Array.from(a.slice(1, n + 1));
    if (a.length === n) return Float64Array.from(a);
    throw new HepflowError("HISTOGRAM_INVALID", `${where}: "${k}" has ${a.length} entries; with ${n + 1} edges it must have ${n} (no flow bins) or ${n + 2} (with flow bins)`);
  };
  const yields = inRange(contents, "contents");
  const v = nums("variances") ?? nums("sumw2");
  return { edges: Float64Array.from(edges), yields, variances: v ? inRange(v, "variances") : yields.slice() };
}

/**
 * Rebin a template onto `target` edges, which must all be edges of the input; bins outside
 * [target[0], target[last]] are dropped. Variances add like the yields.
 */
export function rebin(t: Template, target: ArrayLike<number>, where: string): Template {
  const n = target.length - 1;
  const yields = new Float64Array(n);
  const variances = new Float64Array(n);
  const index = Array.from(target, (x) => {
    // edges written in decimal may differ from the stored ones in the last bits
    const tol = 1e-9 * Math.max(1, Math.abs(x));
    const i = t.edges.findIndex((e) => Math.abs(e - x) <= tol);
    if (i < 0) throw new HepflowError("BINNING_MISMATCH", `${where}: target bin edge ${x} is not an edge of the input histogram (edges ${Array.from(t.edges).join(", ")})`);
    return i;
  });
  // pairs of consecutive target edges, as indices into the input edges
  for (const [b, lo] of index.slice(0, n).entries()) {
    const hi = index[b + 1];
    if (hi === undefined || !(hi > lo)) throw new HepflowError("BINNING_MISMATCH", `${where}: Binning must be strictly increasing`);
    let y = 0,
      v = 0;
    for (let i = lo; i < hi; i++) {
      y += t.yields[i]!;
      v += t.variances[i]!;
    }
    yields[b] = y;
    variances[b] = v;
  }
  return { edges: Float64Array.from(target), yields, variances };
}

/** Reads templates by `file:path`, opening each input file once. */
export class TemplateReader {
  private readonly json = new Map<string, Record<string, unknown>>();
  private readonly root = new Map<string, Promise<RootFile>>();

  constructor(private readonly baseDir: string = process.cwd()) {}

  /** The template at `spec` = `file:path/in/file` (relative files are resolved against baseDir). */
  async read(spec: string): Promise<Template> {
    const colon = spec.lastIndexOf(":");
    if (colon <= 0) throw new HepflowError("CONFIG_INVALID", `input path "${spec}" must have the form FILE:HISTOGRAM`, { object: "General.InputPath" });
    const file = spec.slice(0, colon);
    const path = spec.slice(colon + 1);
    const full = isAbsolute(file) ? file : resolve(this.baseDir, file);
    if (/\.json$/i.test(file)) {
      const all = this.loadJson(full);
      if (!(path in all)) throw new HepflowError("HISTOGRAM_NOT_FOUND", `no histogram "${path}" in the file; check InputPath and the Region/Sample/VariationPath values`, { file: full, object: path });
      return templateFromJson(all[path], `${full}:${path}`);
    }
    let f = this.root.get(full);
    if (!f) {
      f = openFile(full);
      this.root.set(full, f);
    }
    const obj = await (await f).get(path).catch((e: unknown) => {
      throw new HepflowError("HISTOGRAM_NOT_FOUND", `cannot read "${path}": ${(e as Error).message}; check InputPath and the Region/Sample/VariationPath values`, { file: full, object: path }, { cause: e });
    });
    const h = obj as RootHistogram;
    if (!h || typeof h !== "object" || !(h.contents instanceof Float64Array) || !h.xaxis) {
      throw new HepflowError("HISTOGRAM_INVALID", `"${path}" is not a histogram`, { file: full, object: path });
    }
    return templateFromRoot(h, `${full}:${path}`);
  }

  /** Closes the ROOT files opened so far (those that failed to open are already closed). */
  async close(): Promise<void> {
    const opened = [...this.root.values()];
    this.root.clear();
    await Promise.all(
      opened.map((f) =>
        f.then(
          (file) => file.close(),
          () => undefined,
        ),
      ),
    );
  }

  private loadJson(file: string): Record<string, unknown> {
    let v = this.json.get(file);
    if (!v) {
      try {
        v = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
      } catch (e) {
        throw new HepflowError("HISTOGRAM_INVALID", `cannot read the JSON histogram file: ${(e as Error).message}`, { file }, { cause: e });
      }
      if (!v || typeof v !== "object" || Array.isArray(v)) throw new HepflowError("HISTOGRAM_INVALID", "a JSON histogram file must be an object keyed by histogram name", { file });
      this.json.set(file, v);
    }
    return v;
  }
}
