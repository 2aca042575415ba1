/**
 * Boosted large-radius jets for W-tagging studies: W → qq̄ jets (signal) and QCD quark/gluon jets
 * (background) with the substructure observables of the CMS Open Data W-tagging tutorial. Each
 * observable is drawn from a leading-logarithm-motivated shape (docs/ml.md, "Jet generator"),
 * with the correlations carried by shared latent variables: the momentum fraction z of the W's
 * softer prong, the parton flavour (quark or gluon) of a QCD jet, and one "radiation" variable
 * per jet that raises multiplicity, τ₂₁ and D₂ together.
 */
import { HepflowError } from "../util/index.js";
import { Rng } from "./rng.js";

/** The observables written per jet (branch / CSV column names). */
export const JET_FEATURES = ["pt", "eta", "mass", "tau1", "tau2", "tau3", "tau21", "tau32", "d2", "nconst"] as const;
export type JetFeature = (typeof JET_FEATURES)[number];

/** A generated sample: one Float32Array per observable plus the label (1 = W, 0 = QCD). */
export interface JetSample {
  columns: Record<JetFeature, Float32Array>;
  label: Uint8Array;
  n: number;
}

export interface JetOptions {
  /** Number of W jets and of QCD jets. */
  signal: number;
  background: number;
  seed: number;
  /** Jet pT range in GeV (default 300–1200, the tutorial's selection). */
  ptMin?: number;
  ptMax?: number;
  /** Jet radius (default 0.8, CMS AK8). */
  radius?: number;
}

const W_MASS = 80.4;
/** Power of the falling pT spectrum, dσ/dpT ∝ pT^-n (QCD dijets at LHC: n ≈ 5; the W+jets tail is harder). */
const PT_POWER = { w: 4.0, qcd: 5.0 };
/** Effective Sudakov exponent a in Σ(m) = exp(-a/2 · ln²(pT R / m)) for quark and gluon jets (a_g/a_q = C_A/C_F ≈ 2.25). */
const SUDAKOV_A = { q: 0.32, g: 0.72 };
/** Quark fraction of the QCD jets (rises with pT; ~0.5 at 300 GeV, ~0.7 at 1 TeV in dijet events). */
const quarkFraction = (pt: number) => Math.min(0.8, 0.5 + 0.17 * Math.log(pt / 300));

/** pT from a truncated power law by inversion. */
function drawPt(rng: Rng, n: number, lo: number, hi: number): number {
  const e = 1 - n;
  const a = lo ** e,
    b = hi ** e;
  return (a + rng.uniform() * (b - a)) ** (1 / e);
}

/** Truncated normal on [lo, hi] by rejection (the windows used here keep > 50 % acceptance). */
function truncNormal(rng: Rng, mean: number, sigma: number, lo: number, hi: number): number {
  for (;;) {
    const v = mean + sigma * rng.normal();
    if (v >= lo && v <= hi) return v;
  }
}

const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);

/** Generates `signal` W jets then `background` QCD jets (deterministic for a seed). */
export function generateJets(o: JetOptions): JetSample {
  const ptMin = o.ptMin ?? 300,
    ptMax = o.ptMax ?? 1200,
    R = o.radius ?? 0.8;
  for (const [k, v] of [
    ["signal", o.signal],
    ["background", o.background],
  ] as const)
    if (!Number.isInteger(v) || v < 0) throw new HepflowError("GEN_BAD_OPTION", `--${k} must be a non-negative integer, got ${v}`);
  if (!(ptMin > 0 && ptMax > ptMin)) throw new HepflowError("GEN_BAD_OPTION", `pT range ${ptMin}–${ptMax} GeV is empty`);
  const n = o.signal + o.background;
  const columns = Object.fromEntries(JET_FEATURES.map((f) => [f, new Float32Array(n)])) as Record<JetFeature, Float32Array>;
  const label = new Uint8Array(n);
  const rng = new Rng(`jets/${o.seed}`);
  for (let i = 0; i < n; i++) {
    const isW = i < o.signal;
    label[i] = isW ? 1 : 0;
    const pt = drawPt(rng, isW ? PT_POWER.w : PT_POWER.qcd, ptMin, ptMax);
    // W bosons from qq̄ / gg fusion are more central than the t-channel-dominated QCD dijets
    const eta = truncNormal(rng, 0, isW ? 1.0 : 1.3, -2.4, 2.4);
    const radiation = rng.normal();
    const L = Math.log(pt / 300);
    let mass: number, tau1: number, tau21: number, tau32: number, d2: number, nconst: number;
    if (isW) {
      // Softer prong's momentum fraction: flat in z for a transversely polarised W, cut by grooming at z > 0.1
      const z = 0.1 + 0.4 * rng.uniform();
      // Prong opening ΔR ≈ m / (pT √(z(1-z))): if it exceeds R, one quark escapes and the jet looks like a light-quark jet
      const dR = W_MASS / (pt * Math.sqrt(z * (1 - z)));
      // ... and in ~12 % of contained decays grooming drops the softer prong (hard FSR off it), leaving a one-prong jet
      const contained = dR < R * (0.9 + 0.1 * rng.uniform()) && rng.uniform() > 0.12;
      if (contained) {
        // Peak shifts up with pT (more ISR/UE inside the fixed cone, ~+1.6 GeV per e-fold) and the resolution is ~10 %
        const peak = W_MASS * (0.985 + 0.02 * L) + 1.5 * radiation;
        mass = Math.max(1, peak + 0.1 * W_MASS * rng.normal());
        // Two-prong: τ₁ ≈ 2√(z(1-z)) m/(pT R); τ₂ from the soft radiation around the prongs
        tau1 = ((2 * Math.sqrt(z * (1 - z)) * mass) / (pt * R)) * Math.exp(0.12 * rng.normal());
        tau21 = clamp(0.32 + 0.04 * L + 0.06 * radiation + 0.1 * rng.normal() + 0.15 * (0.5 - z) * (0.5 - z), 0.04, 0.95);
        tau32 = clamp(0.72 + 0.04 * radiation + 0.09 * rng.normal(), 0.15, 0.99);
        d2 = Math.exp(Math.log(1.2) + 1.4 * Math.log(tau21 / 0.3) + 0.18 * rng.normal());
        nconst = rng.poisson(Math.max(5, (34 + 6 * L) * Math.exp(0.12 * radiation)));
      } else {
        ({ mass, tau1, tau21, tau32, d2, nconst } = qcdLike(rng, pt, R, L, radiation, 0.55 * pt));
      }
    } else {
      ({ mass, tau1, tau21, tau32, d2, nconst } = qcdLike(rng, pt, R, L, radiation, pt * R));
    }
    const tau2 = tau21 * tau1,
      tau3 = tau32 * tau2;
    const c = columns;
    c.pt[i] = pt;
    c.eta[i] = eta;
    c.mass[i] = mass;
    c.tau1[i] = tau1;
    c.tau2[i] = tau2;
    c.tau3[i] = tau3;
    c.tau21[i] = tau21;
    c.tau32[i] = tau32;
    c.d2[i] = d2;
    c.nconst[i] = nconst;
  }
  return { columns, label, n };
}

/**
 * A one-prong (quark or gluon) jet: mass from the leading-log Sudakov Σ = exp(-a/2 · ln²(scale/m)),
 * whose density falls steeply above the Sudakov peak at a few GeV; τ₂₁ large and falling slowly
 * with m/pT (heavier QCD jets have a hard emission that looks two-prong).
 */
function qcdLike(rng: Rng, pt: number, R: number, L: number, radiation: number, scale: number) {
  const gluon = rng.uniform() > quarkFraction(pt);
  const a = gluon ? SUDAKOV_A.g : SUDAKOV_A.q;
  const logRatio = Math.sqrt((-2 * Math.log(rng.uniform())) / a);
  const mass = Math.max(1, scale * Math.exp(-logRatio) * (1 + 0.08 * rng.normal()));
  const rho = mass / (pt * R);
  const tau1 = rho * Math.exp(0.25 * rng.normal() + (gluon ? 0.15 : 0));
  const tau21 = clamp(0.68 - 0.6 * rho + (gluon ? 0.04 : 0) + 0.06 * radiation + 0.13 * rng.normal(), 0.05, 0.99);
  const tau32 = clamp(0.78 + 0.03 * radiation + 0.08 * rng.normal(), 0.15, 0.99);
  const d2 = Math.exp(Math.log(2.4) + 1.2 * Math.log(tau21 / 0.65) + (gluon ? 0.1 : 0) + 0.3 * rng.normal());
  // gluon jets carry ~1.5× the constituents of quark jets (C_A/C_F softened by hadronisation)
  const nMean = (gluon ? 1.5 : 1) * (26 + 5 * L) * Math.exp(0.15 * radiation);
  return { mass, tau1, tau21, tau32, d2, nconst: rng.poisson(nMean) };
}

/** A CSV table of the sample: the observables and `label`, one jet per line. */
export function jetsToCsv(s: JetSample): string {
  const lines = [[...JET_FEATURES, "label"].join(",")];
  for (let i = 0; i < s.n; i++) lines.push(JET_FEATURES.map((f) => String(s.columns[f][i])).join(",") + "," + s.label[i]);
  return lines.join("\n") + "\n";
}
