/**
 * Conversion between Hist and ROOT's TH1/TH2/TH3 data (RootHistogram from root/). ROOT always
 * has an underflow and an overflow bin per axis and orders bins x fastest, as Hist does.
 * - Hist → ROOT: Regular → fixed bins, Variable/Integer → edges, categories → labelled bins
 *   (xmin 0, xmax = number of categories). Axes without flow bins get empty ROOT flow bins.
 *   Double/int storage → TH?D without sumw2; weight storage → TH?D with sumw2. Mean storage is
 *   not converted (TProfile writing is not supported yet).
 * - ROOT's running statistics are recomputed from in-range bin centers (what ROOT does after
 *   rebinning); entries = sum of weights over all bins for unweighted storage, the effective
 *   number of entries (Σw)²/Σw² for weight storage, since a Hist does not count fill calls.
 * - ROOT → Hist: labelled axes become StrCategory (their underflow must be empty), others
 *   Regular (or Variable when edges are stored); sumw2 present → weight storage, else double.
 */
import { HepflowError } from "../util/index.js";
import type { RootAxis, RootHistogram } from "../root/index.js";
import { type Axis, BooleanAxis, EdgeAxis, type IntCategoryAxis, RegularAxis, StrCategoryAxis, VariableAxis } from "./axis.js";
import { Hist } from "./hist.js";

function rootAxisOf(a: Axis): RootAxis {
  if (a instanceof RegularAxis && a.transform === "none") return { nbins: a.size, xmin: a.lower, xmax: a.upper, title: a.label };
  if (a instanceof EdgeAxis) return { nbins: a.size, xmin: a.edges[0]!, xmax: a.edges[a.size]!, edges: a.edges.slice(), title: a.label };
  const labels = a instanceof BooleanAxis ? ["false", "true"] : (a as StrCategoryAxis | IntCategoryAxis).categories.map(String);
  return { nbins: a.size, xmin: 0, xmax: a.size, title: a.label, labels };
}

/** Centers of in-range bins (category bins count as 0.5, 1.5, ... like ROOT's labelled axes). */
function centersOf(a: Axis): Float64Array {
  if (a instanceof EdgeAxis) return a.centers;
  const c = new Float64Array(a.size);
  for (let i = 0; i < c.length; i++) c[i] = i + 0.5;
  return c;
}

/** Convert a 1- to 3-dimensional Hist to ROOT's histogram data (TH1D/TH2D/TH3D). */
export function toRoot(h: Hist, name: string, opts: { title?: string } = {}): RootHistogram {
  if (h.rank > 3) throw new HepflowError("HIST_ROOT", `ROOT histograms have at most 3 axes, this one has ${h.rank}; project or pick first`, { object: name });
  if (h.storage === "mean") throw new HepflowError("HIST_ROOT", "mean storage would be a TProfile, which is not supported yet; convert a double or weight histogram", { object: name });
  const rootAxes = h.axes.map(rootAxisOf);
  const rext = rootAxes.map((a) => a.nbins + 2);
  const rstr = [1, rext[0]!, rext[0]! * (rext[1] ?? 1)];
  const total = rext.reduce((p, e) => p * e, 1);
  const contents = new Float64Array(total);
  const sumw2 = h.storage === "weight" ? new Float64Array(total) : undefined;
  const src0 = h.data[0]!,
    src1 = h.storage === "weight" ? h.data[1]! : src0;
  const centers = h.axes.map(centersOf);
  const stats = { tsumw: 0, tsumw2: 0, tsumwx: 0, tsumwx2: 0, tsumwy: 0, tsumwy2: 0, tsumwxy: 0 };
  let allW = 0,
    allW2 = 0;
  const ext = h.axes.map((a) => a.extent);
  const idx = new Array<number>(h.rank).fill(0);
  for (let p = 0; p < h.totalBins; p++) {
    let g = 0,
      inRange = true;
    const bins: number[] = [];
    for (let k = 0; k < h.rank; k++) {
      const a = h.axes[k]!;
      const bin = idx[k]! - (a.underflow ? 1 : 0); // -1 .. size
      bins.push(bin);
      if (bin < 0 || bin >= a.size) inRange = false;
      g += (bin + 1) * rstr[k]!;
    }
    const w = src0[p]!,
      w2 = src1[p]!;
    contents[g]! += w;
    if (sumw2) sumw2[g]! += w2;
    allW += w;
    allW2 += w2;
    if (inRange) {
      const x = centers[0]![bins[0]!]!;
      stats.tsumw += w;
      stats.tsumw2 += w2;
      stats.tsumwx += w * x;
      stats.tsumwx2 += w * x * x;
      if (h.rank >= 2) {
        const y = centers[1]![bins[1]!]!;
        stats.tsumwy += w * y;
        stats.tsumwy2 += w * y * y;
        stats.tsumwxy += w * x * y;
      }
    }
    for (let k = 0; k < h.rank; k++) {
      if (++idx[k]! < ext[k]!) break;
      idx[k] = 0;
    }
  }
  const entries = h.storage === "weight" ? (allW2 > 0 ? (allW * allW) / allW2 : 0) : allW;
  const dim = h.rank as 1 | 2 | 3;
  return {
    className: dim === 1 ? "TH1D" : dim === 2 ? "TH2D" : "TH3D",
    name,
    title: opts.title ?? h.label ?? name,
    dimension: dim,
    xaxis: rootAxes[0]!,
    ...(rootAxes[1] ? { yaxis: rootAxes[1] } : {}),
    ...(rootAxes[2] ? { zaxis: rootAxes[2] } : {}),
    contents,
    ...(sumw2 ? { sumw2 } : {}),
    entries,
    stats: dim === 1 ? { tsumw: stats.tsumw, tsumw2: stats.tsumw2, tsumwx: stats.tsumwx, tsumwx2: stats.tsumwx2 } : stats,
  };
}

function axisFromRoot(r: RootAxis, name: string): Axis {
  const labels = r.labels && r.labels.length === r.nbins && r.labels.every((l) => l !== undefined && l !== "") ? r.labels : undefined;
  if (labels && new Set(labels).size === labels.length) return new StrCategoryAxis(labels, { name, label: r.title, overflow: true });
  if (r.edges && r.edges.length === r.nbins + 1) return new VariableAxis(r.edges, { name, label: r.title });
  return new RegularAxis(r.nbins, r.xmin, r.xmax, { name, label: r.title });
}

/** Convert ROOT histogram data (TH1/TH2/TH3, any content type) to a Hist with axes named x, y, z. */
export function fromRoot(rh: RootHistogram): Hist {
  if (rh.profile) throw new HepflowError("HIST_ROOT", `${rh.className} is a profile; converting profiles to mean storage is not supported yet`, { object: rh.name });
  const raxes = [rh.xaxis, rh.yaxis, rh.zaxis].slice(0, rh.dimension).filter((a): a is RootAxis => !!a);
  if (raxes.length !== rh.dimension) throw new HepflowError("HIST_ROOT", `${rh.className} of dimension ${rh.dimension} lacks an axis description`, { object: rh.name });
  const axes = raxes.map((a, k) => axisFromRoot(a, ["x", "y", "z"][k]!));
  const rext = raxes.map((a) => a.nbins + 2);
  const total = rext.reduce((p, e) => p * e, 1);
  if (rh.contents.length !== total) throw new HepflowError("HIST_ROOT", `${rh.className} has ${rh.contents.length} bins, expected ${total} with flow bins`, { object: rh.name });
  const weighted = rh.sumw2 !== undefined && rh.sumw2.length === total;
  const h = new Hist(axes, { storage: weighted ? "weight" : "double", name: rh.name, label: rh.title });
  const idx = new Array<number>(axes.length).fill(0);
  for (let g = 0; g < total; g++) {
    let p = 0,
      ok = true;
    for (let k = 0; k < axes.length; k++) {
      const q = axes[k]!.position(idx[k]! - 1);
      if (q < 0) {
        ok = false;
        break;
      }
      p += q * h.layout[k]!;
    }
    if (ok) {
      h.data[0]![p]! += rh.contents[g]!;
      if (weighted) h.data[1]![p]! += rh.sumw2![g]!;
    } else if (rh.contents[g] !== 0) {
      throw new HepflowError("HIST_ROOT", `bin ${g} of a labelled axis' underflow holds ${rh.contents[g]}, which a category axis cannot keep`, { object: rh.name });
    }
    for (let k = 0; k < axes.length; k++) {
      if (++idx[k]! < rext[k]!) break;
      idx[k] = 0;
    }
  }
  return h;
}
