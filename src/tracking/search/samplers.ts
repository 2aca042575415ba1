/**
 * Suggestion algorithms: random search (sklearn's ParameterSampler semantics) and the Tree-structured
 * Parzen Estimator (hyperopt's `tpe.suggest`). Every suggestion is a pure function of (seed, trial
 * index, finished trials), so a search is reproducible and resumable whatever order trials finish in.
 */
import { Rng } from "../../generate/index.js";
import { HepflowError } from "../../util/index.js";
import type { Distribution, ParamSet, ParamValue, SearchSpace } from "./space.js";
import { spaceEntries } from "./space.js";

/** A finished trial as the samplers see it: its parameters and its loss (the objective, sign-flipped when maximising). */
export interface Observation {
  index: number;
  params: ParamSet;
  loss: number;
}

export interface TpeOptions {
  /** Trials drawn from the prior before TPE starts modelling (hyperopt: 20). */
  nStartupJobs?: number;
  /** Fraction defining the "good" trials: n_below = ceil(gamma · sqrt(n)) (hyperopt: 0.25). */
  gamma?: number;
  /** Candidates drawn from l(x) per parameter, the best l/g wins (hyperopt: 24). */
  nEiCandidates?: number;
  /** Weight of the prior component in every Parzen mixture (hyperopt: 1.0). */
  priorWeight?: number;
  /** Linear forgetting: observations older than the newest LF are down-weighted (hyperopt: 25). */
  linearForgetting?: number;
}

export const TPE_DEFAULTS: Required<TpeOptions> = { nStartupJobs: 20, gamma: 0.25, nEiCandidates: 24, priorWeight: 1.0, linearForgetting: 25 };

/** The random stream of one trial: independent of every other trial. */
export function trialRng(seed: number, index: number, purpose = "suggest"): Rng {
  return new Rng(`hepflow-search/${seed}/${index}/${purpose}`);
}

function drawPrior(d: Distribution, rng: Rng): ParamValue {
  switch (d.dist) {
    case "uniform":
      return d.low + (d.high - d.low) * rng.uniform();
    case "loguniform":
      return Math.exp(Math.log(d.low) + (Math.log(d.high) - Math.log(d.low)) * rng.uniform());
    case "randint":
      return d.low + Math.min(d.high - d.low - 1, Math.floor((d.high - d.low) * rng.uniform()));
    case "quniform":
      return roundQ(d.low + (d.high - d.low) * rng.uniform(), d.q);
    case "choice":
      return d.options[Math.min(d.options.length - 1, Math.floor(d.options.length * rng.uniform()))]!;
  }
}

/** hyperopt's quantisation: round(x / q) · q, cleaned of binary noise (0.1 · 3 → 0.3). */
function roundQ(x: number, q: number): number {
  return +(Math.round(x / q) * q).toPrecision(12);
}

/**
 * Random search as sklearn's ParameterSampler: parameters drawn independently in sorted-name order;
 * when every parameter is a list of choices, trials sample the grid without replacement (and the
 * search ends when the grid is exhausted).
 */
export function randomSuggest(space: SearchSpace, seed: number, index: number): ParamSet | undefined {
  const params = spaceEntries(space);
  if (params.every(([, d]) => d.dist === "choice")) {
    const grid = gridOrder(space, seed);
    if (index >= grid.length) return undefined;
    return grid[index];
  }
  const rng = trialRng(seed, index, "random");
  return Object.fromEntries(params.map(([k, d]) => [k, drawPrior(d, rng)]));
}

/** The full grid of an all-choice space in one seeded random order (a Fisher–Yates shuffle). */
function gridOrder(space: SearchSpace, seed: number): ParamSet[] {
  let grid: ParamSet[] = [{}];
  for (const [k, d] of spaceEntries(space)) grid = grid.flatMap((g) => (d as { options: ParamValue[] }).options.map((o) => ({ ...g, [k]: o })));
  const rng = new Rng(`hepflow-search/${seed}/grid`);
  for (let i = grid.length - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [grid[i], grid[j]] = [grid[j]!, grid[i]!];
  }
  return grid;
}

// ------------------------------------------------------------------------------------------- TPE

/** hyperopt's linear_forgetting_weights: the newest LF observations weigh 1, older ones ramp down linearly to 1/N. */
export function linearForgettingWeights(n: number, lf: number): number[] {
  if (n < lf) return Array(n).fill(1);
  const ramp = n - lf;
  const w: number[] = [];
  for (let i = 0; i < ramp; i++) w.push(ramp === 1 ? 1 / n : 1 / n + ((1 - 1 / n) * i) / (ramp - 1));
  for (let i = 0; i < lf; i++) w.push(1);
  return w;
}

/** A 1-D Gaussian mixture (weights, means, widths), truncated to [low, high] when sampling and evaluating. */
export interface Parzen {
  weights: number[];
  mus: number[];
  sigmas: number[];
}

/**
 * hyperopt's adaptive_parzen_normal: one Gaussian per observation plus the prior (mean prior_mu,
 * width prior_sigma, weight prior_weight); each observation's width is the larger distance to its
 * sorted neighbours, clipped to [prior_sigma / min(100, 1 + n), prior_sigma].
 */
export function adaptiveParzen(mus: number[], priorWeight: number, priorMu: number, priorSigma: number, lf: number): Parzen {
  const n = mus.length;
  if (n === 0) return { weights: [1], mus: [priorMu], sigmas: [priorSigma] };
  const order = mus.map((_, i) => i).sort((a, b) => mus[a]! - mus[b]! || a - b);
  const sorted = order.map((i) => mus[i]!);
  let pos = 0;
  while (pos < n && sorted[pos]! < priorMu) pos++; // searchsorted (left)
  const srt = [...sorted.slice(0, pos), priorMu, ...sorted.slice(pos)];
  const m = srt.length;
  let sig: number[];
  if (n === 1) sig = pos === 0 ? [priorSigma, priorSigma * 0.5] : [priorSigma * 0.5, priorSigma];
  else {
    sig = new Array(m).fill(0);
    for (let i = 1; i < m - 1; i++) sig[i] = Math.max(srt[i]! - srt[i - 1]!, srt[i + 1]! - srt[i]!);
    sig[0] = srt[1]! - srt[0]!;
    sig[m - 1] = srt[m - 1]! - srt[m - 2]!;
  }
  let w: number[];
  if (lf && lf < n) {
    const uw = linearForgettingWeights(n, lf);
    w = new Array(m).fill(0);
    for (let i = 0; i < pos; i++) w[i] = uw[order[i]!]!;
    for (let i = pos; i < n; i++) w[i + 1] = uw[order[i]!]!;
  } else w = new Array(m).fill(1);
  w[pos] = priorWeight;
  const maxSigma = priorSigma,
    minSigma = priorSigma / Math.min(100, 1 + m);
  sig = sig.map((s) => Math.min(maxSigma, Math.max(minSigma, s)));
  sig[pos] = priorSigma;
  const tot = w.reduce((a, b) => a + b, 0);
  return { weights: w.map((x) => x / tot), mus: srt, sigmas: sig };
}

/** The standard normal CDF, through the Chebyshev fit of erfc in Numerical Recipes (fractional error < 1.2e-7). */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? 1 - r / 2 : r / 2;
}

/** Draws from the mixture truncated to [low, high] by rejection, as hyperopt's GMM1 sampler. */
function sampleParzen(p: Parzen, low: number, high: number, rng: Rng): number {
  for (let tries = 0; tries < 10_000; tries++) {
    let u = rng.uniform(),
      k = 0;
    while (k < p.weights.length - 1 && u > p.weights[k]!) {
      u -= p.weights[k]!;
      k++;
    }
    const x = p.mus[k]! + p.sigmas[k]! * rng.normal();
    if (x >= low && x <= high) return x;
  }
  return low + (high - low) * rng.uniform(); // unreachable in practice: the prior covers [low, high]
}

/** log density of the truncated mixture at x; with q, the log probability of x's quantisation bin (hyperopt's GMM1_lpdf). */
function parzenLogPdf(p: Parzen, x: number, low: number, high: number, q?: number): number {
  let mass = 0; // probability of [low, high] under the untruncated mixture
  for (let k = 0; k < p.weights.length; k++) mass += p.weights[k]! * (normalCdf((high - p.mus[k]!) / p.sigmas[k]!) - normalCdf((low - p.mus[k]!) / p.sigmas[k]!));
  let v = 0;
  for (let k = 0; k < p.weights.length; k++) {
    if (q === undefined) v += (p.weights[k]! * Math.exp(-0.5 * ((x - p.mus[k]!) / p.sigmas[k]!) ** 2)) / (p.sigmas[k]! * Math.sqrt(2 * Math.PI));
    else {
      const lo = Math.max(low, x - q / 2),
        hi = Math.min(high, x + q / 2);
      v += p.weights[k]! * (normalCdf((hi - p.mus[k]!) / p.sigmas[k]!) - normalCdf((lo - p.mus[k]!) / p.sigmas[k]!));
    }
  }
  return Math.log(Math.max(v, 1e-300)) - Math.log(Math.max(mass, 1e-300));
}

/** Numeric parameters in the space TPE models them: log for loguniform, the value itself otherwise. */
function toModel(d: Distribution, v: number): number {
  return d.dist === "loguniform" ? Math.log(v) : v;
}

function bounds(d: Exclude<Distribution, { dist: "choice" }>): { low: number; high: number; q?: number } {
  if (d.dist === "loguniform") return { low: Math.log(d.low), high: Math.log(d.high) };
  // integers are hyperopt's uniformint: quniform with q = 1 over [low, high - 1]
  if (d.dist === "randint") return { low: d.low, high: d.high - 1, q: 1 };
  if (d.dist === "quniform") return { low: d.low, high: d.high, q: d.q };
  return { low: d.low, high: d.high };
}

/** One numeric parameter: draw candidates from l(x) (good trials), keep the one maximising log l(x) − log g(x). */
function tpeNumeric(d: Exclude<Distribution, { dist: "choice" }>, below: number[], above: number[], o: Required<TpeOptions>, rng: Rng): number {
  const { low, high, q } = bounds(d);
  const priorMu = 0.5 * (low + high),
    priorSigma = high - low;
  const l = adaptiveParzen(
    below.map((v) => toModel(d, v)),
    o.priorWeight,
    priorMu,
    priorSigma,
    o.linearForgetting,
  );
  const g = adaptiveParzen(
    above.map((v) => toModel(d, v)),
    o.priorWeight,
    priorMu,
    priorSigma,
    o.linearForgetting,
  );
  let best = NaN,
    bestScore = -Infinity;
  for (let c = 0; c < o.nEiCandidates; c++) {
    let x = sampleParzen(l, q ? low - q / 2 : low, q ? high + q / 2 : high, rng);
    if (q) x = Math.min(high, Math.max(low, roundQ(x, q)));
    const score = parzenLogPdf(l, x, q ? low - q / 2 : low, q ? high + q / 2 : high, q) - parzenLogPdf(g, x, q ? low - q / 2 : low, q ? high + q / 2 : high, q);
    if (score > bestScore) {
      bestScore = score;
      best = x;
    }
  }
  if (d.dist === "loguniform") return Math.min(d.high, Math.max(d.low, Math.exp(best)));
  if (d.dist === "randint") return Math.round(best);
  return best;
}

/** One categorical parameter: hyperopt's ap_categorical — forgetting-weighted counts plus prior_weight per option. */
function tpeChoice(d: Extract<Distribution, { dist: "choice" }>, below: ParamValue[], above: ParamValue[], o: Required<TpeOptions>, rng: Rng): ParamValue {
  const probs = (obs: ParamValue[]) => {
    const w = linearForgettingWeights(obs.length, o.linearForgetting);
    const counts = d.options.map(() => o.priorWeight);
    obs.forEach((v, i) => {
      const k = d.options.indexOf(v);
      if (k >= 0) counts[k]! += w[i]!;
    });
    const tot = counts.reduce((a, b) => a + b, 0);
    return counts.map((c) => c / tot);
  };
  const pl = probs(below),
    pg = probs(above);
  let best = 0,
    bestScore = -Infinity;
  for (let c = 0; c < o.nEiCandidates; c++) {
    let u = rng.uniform(),
      k = 0;
    while (k < pl.length - 1 && u > pl[k]!) {
      u -= pl[k]!;
      k++;
    }
    const score = Math.log(pl[k]!) - Math.log(pg[k]!);
    if (score > bestScore) {
      bestScore = score;
      best = k;
    }
  }
  return d.options[best]!;
}

/**
 * hyperopt's tpe.suggest for one new trial: the first n_startup_jobs trials come from the prior; then
 * the finished trials are split at n_below = min(ceil(gamma · sqrt(n)), LF) best losses into l (good)
 * and g (the rest), and each parameter independently takes the candidate with the highest l/g ratio
 * (which maximises expected improvement for TPE's model).
 */
export function tpeSuggest(space: SearchSpace, history: Observation[], seed: number, index: number, options: TpeOptions = {}): ParamSet {
  const o = { ...TPE_DEFAULTS, ...options };
  const done = history.filter((h) => Number.isFinite(h.loss)).sort((a, b) => a.index - b.index);
  const rng = trialRng(seed, index, "tpe");
  const params = spaceEntries(space);
  if (done.length < o.nStartupJobs) return Object.fromEntries(params.map(([k, d]) => [k, drawPrior(d, rng)]));
  const nBelow = Math.min(Math.ceil(o.gamma * Math.sqrt(done.length)), o.linearForgetting);
  const byLoss = [...done.entries()].sort(([a, ha], [b, hb]) => ha.loss - hb.loss || a - b).map(([i]) => i);
  const good = new Set(byLoss.slice(0, nBelow));
  const out: ParamSet = {};
  // a resumed search reads its trials' parameters back from stored run tags, which may predate an edit
  const trialValue = (h: Observation, k: string): ParamValue => {
    const v = h.params[k];
    if (v === undefined) throw new HepflowError("SEARCH_RESUME", `trial ${h.index} has no value for the searched parameter "${k}"; it belongs to a different search space`);
    return v;
  };
  for (const [k, d] of params) {
    // observations in trial order, so linear forgetting down-weights the oldest
    const below = done.filter((_, i) => good.has(i)).map((h) => trialValue(h, k));
    const above = done.filter((_, i) => !good.has(i)).map((h) => trialValue(h, k));
    out[k] = d.dist === "choice" ? tpeChoice(d, below, above, o, rng) : tpeNumeric(d, below.map(Number), above.map(Number), o, rng);
  }
  return out;
}
