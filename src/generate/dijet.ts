/**
 * A toy "VH(bb)"-style sample for the RECAST example: signal events with a dijet resonance
 * (two b-jets from a particle of mass M and width Γ, plus soft extra jets), and an "external"
 * file of the analysis' background and data histograms of the dijet mass. The signal is a TTree
 * `events` (nJet, Jet_pt/eta/phi/mass, genWeight); the external file holds TH1D `background`
 * (a falling exponential spectrum) and `data` (Poisson fluctuations of the background: the
 * observed data agree with background only).
 */
import path from "node:path";
import { mkdirSync } from "node:fs";
import { createFile, type RootHistogram } from "../root/index.js";
import { HepflowError, Jagged } from "../util/index.js";
import { Rng } from "./rng.js";

export interface DijetOptions {
  /** Output folder: signal.root and external.root. */
  out: string;
  /** Signal events (default 20000). */
  events?: number;
  /** Resonance mass and width in GeV (default 125, 10). */
  mass?: number;
  width?: number;
  seed?: number;
  /** Expected background events in the histogram range (default 5000). */
  backgroundEvents?: number;
  /** Decay length of the background spectrum in GeV (default 40). */
  backgroundSlope?: number;
  /** Histogram binning of m_jj (default 20 bins, 50–250 GeV). */
  bins?: number;
  range?: [number, number];
  /** Write signal.root (default true). */
  signal?: boolean;
  /** Write external.root (default true). */
  external?: boolean;
}

export interface DijetSummary {
  signal?: string;
  external?: string;
  events: number;
  sumOfWeights: number;
}

const B_MASS = 4.8;

/** Massive four-vector (E, px, py, pz) from a decay at rest boosted along `beta`. */
function boost(p: [number, number, number, number], b: [number, number, number]): [number, number, number, number] {
  const b2 = b[0] ** 2 + b[1] ** 2 + b[2] ** 2;
  if (b2 === 0) return p;
  const g = 1 / Math.sqrt(1 - b2);
  const bp = b[0] * p[1] + b[1] * p[2] + b[2] * p[3];
  const g2 = (g - 1) / b2;
  return [g * (p[0] + bp), p[1] + g2 * bp * b[0] + g * b[0] * p[0], p[2] + g2 * bp * b[1] + g * b[1] * p[0], p[3] + g2 * bp * b[2] + g * b[2] * p[0]];
}

/** A TH1D with regular bins from `lo` to `hi` (no flow contents), for writing with the ROOT writer. */
export function th1d(name: string, title: string, lo: number, hi: number, values: ArrayLike<number>, sumw2: ArrayLike<number>, xTitle = "m_{jj} [GeV]"): RootHistogram {
  const n = values.length;
  const contents = new Float64Array(n + 2);
  const w2 = new Float64Array(n + 2);
  let tsumw = 0,
    tsumw2 = 0,
    tsumwx = 0,
    tsumwx2 = 0;
  Array.from(values).forEach((v, i) => {
    contents[i + 1] = v;
    w2[i + 1] = sumw2[i]!;
    const x = lo + ((i + 0.5) * (hi - lo)) / n;
    tsumw += v;
    tsumw2 += sumw2[i]!;
    tsumwx += v * x;
    tsumwx2 += v * x * x;
  });
  return { className: "TH1D", name, title, dimension: 1, xaxis: { nbins: n, xmin: lo, xmax: hi, title: xTitle }, contents, sumw2: w2, entries: tsumw, stats: { tsumw, tsumw2, tsumwx, tsumwx2 } };
}

/** Writes signal.root (and external.root) into `o.out`; the same options and seed give the same files. */
export async function generateDijet(o: DijetOptions): Promise<DijetSummary> {
  const events = o.events ?? 20_000;
  const mass = o.mass ?? 125;
  const width = o.width ?? 10;
  if (!(events > 0 && Number.isInteger(events))) throw new HepflowError("GENERATE_OPTION", `events must be a positive integer (got ${events})`);
  if (!(mass > 2 * B_MASS) || !(width > 0)) throw new HepflowError("GENERATE_OPTION", `the resonance needs mass > ${2 * B_MASS} GeV and width > 0 (got ${mass}, ${width})`);
  const rng = new Rng(`dijet:${o.seed ?? 1}`);
  mkdirSync(o.out, { recursive: true });
  const offsets = new Int32Array(events + 1);
  const cols = { pt: [] as number[], eta: [] as number[], phi: [] as number[], m: [] as number[] };
  const nJet = new Uint32Array(events);
  const genWeight = new Float32Array(events);
  let sumw = 0;
  for (let e = 0; e < events; e++) {
    // Resonance: Breit–Wigner mass (Cauchy draw, kept above threshold), transverse boost, rapidity.
    let m = 0;
    do m = mass + (width / 2) * Math.tan(Math.PI * (rng.uniform() - 0.5));
    while (m < 2 * B_MASS + 1 || m > 3 * mass);
    const pt = rng.exponential(60),
      y = 1.2 * rng.normal(),
      phi = 2 * Math.PI * rng.uniform();
    const mt = Math.sqrt(m * m + pt * pt);
    const P: [number, number, number, number] = [mt * Math.cosh(y), pt * Math.cos(phi), pt * Math.sin(phi), mt * Math.sinh(y)];
    // Isotropic two-body decay in the rest frame.
    const pstar = Math.sqrt((m * m) / 4 - B_MASS * B_MASS);
    const cost = 2 * rng.uniform() - 1,
      sint = Math.sqrt(1 - cost * cost),
      ph = 2 * Math.PI * rng.uniform();
    const d: [number, number, number] = [pstar * sint * Math.cos(ph), pstar * sint * Math.sin(ph), pstar * cost];
    const beta: [number, number, number] = [P[1] / P[0], P[2] / P[0], P[3] / P[0]];
    const jets: Array<[number, number, number, number]> = [];
    for (const s of [1, -1]) {
      const q = boost([m / 2, s * d[0], s * d[1], s * d[2]], beta);
      const qpt = Math.hypot(q[1], q[2]) * Math.max(0.2, 1 + 0.1 * rng.normal()); // jet energy resolution
      const p = Math.hypot(q[1], q[2], q[3]);
      jets.push([qpt, 0.5 * Math.log((p + q[3]) / (p - q[3])), Math.atan2(q[2], q[1]), B_MASS]);
    }
    // Extra (ISR-like) jets.
    for (let k = rng.poisson(1.2); k > 0; k--) jets.push([20 + rng.exponential(15), 9 * rng.uniform() - 4.5, 2 * Math.PI * rng.uniform() - Math.PI, 5 + 5 * rng.uniform()]);
    jets.sort((a, b) => b[0] - a[0]);
    for (const j of jets) {
      cols.pt.push(j[0]);
      cols.eta.push(j[1]);
      cols.phi.push(j[2]);
      cols.m.push(j[3]);
    }
    nJet[e] = jets.length;
    offsets[e + 1] = offsets[e]! + jets.length;
    genWeight[e] = 1 + 0.05 * rng.normal();
    sumw += genWeight[e]!;
  }
  const jag = (v: number[]) => new Jagged(offsets, Float32Array.from(v));
  const summary: DijetSummary = { events, sumOfWeights: Number(sumw.toPrecision(12)) };
  if (o.signal ?? true) {
    const signal = path.join(o.out, "signal.root");
    const w = await createFile(signal);
    try {
      const t = w.writeTree("events", [
        { name: "nJet", type: "u32" },
        { name: "Jet_pt", type: "f32", counter: "nJet" },
        { name: "Jet_eta", type: "f32", counter: "nJet" },
        { name: "Jet_phi", type: "f32", counter: "nJet" },
        { name: "Jet_mass", type: "f32", counter: "nJet" },
        { name: "genWeight", type: "f32" },
      ]);
      t.write({ nJet, Jet_pt: jag(cols.pt), Jet_eta: jag(cols.eta), Jet_phi: jag(cols.phi), Jet_mass: jag(cols.m), genWeight });
      await w.close();
    } catch (e) {
      w.abort();
      throw e;
    }
    summary.signal = signal;
  }
  if (o.external ?? true) {
    const [lo, hi] = o.range ?? [50, 250];
    const bins = o.bins ?? 20;
    const slope = o.backgroundSlope ?? 40;
    const total = o.backgroundEvents ?? 5000;
    const norm = total / (Math.exp(-lo / slope) - Math.exp(-hi / slope));
    const bkg = Array.from({ length: bins }, (_, i) => norm * (Math.exp(-(lo + ((hi - lo) * i) / bins) / slope) - Math.exp(-(lo + ((hi - lo) * (i + 1)) / bins) / slope)));
    // Its own random stream: the same background and data whatever signal is generated.
    const brng = new Rng(`dijet-external:${o.seed ?? 1}`);
    const data = bkg.map((b) => brng.poisson(b));
    // The background template's own statistical uncertainty: as from a simulation with 10× the events.
    const external = path.join(o.out, "external.root");
    const x = await createFile(external);
    try {
      x.putHistogram(
        "background",
        th1d(
          "background",
          "background",
          lo,
          hi,
          bkg,
          bkg.map((b) => b / 10),
        ),
      );
      x.putHistogram("data", th1d("data", "data", lo, hi, data, data));
      await x.close();
    } catch (e) {
      x.abort();
      throw e;
    }
    summary.external = external;
  }
  return summary;
}
