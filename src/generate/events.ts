/**
 * Vectorised event generation: fills NanoAOD-shaped columns for a chunk of events of one
 * sample. Each event's partons live in a small scratch buffer of typed arrays that is reused,
 * so no per-event objects are created; output goes straight into preallocated column arrays.
 */
import { Jagged, type Columns } from "../util/index.js";
import type { TreeSchema, LeafType } from "../root/index.js";
import type { ProcessModel } from "./model.js";
import type { Rng } from "./rng.js";

const MAX = 48; // partons + leptons per event, far above what any model produces
const MAX_JETS = 20;
const MAX_LEP = 6;
const M_B = 4.8,
  M_TOP = 172.5,
  W_TOP = 1.4,
  M_W = 80.4,
  W_W = 2.1;
const KIND_LIGHT = 0,
  KIND_C = 4,
  KIND_B = 5,
  KIND_GLUON = 21,
  KIND_E = 11,
  KIND_NU = 12,
  KIND_MU = 13,
  KIND_TAU = 15;

/** Scratch four-vectors of one event. */
class Scratch {
  n = 0;
  px = new Float64Array(MAX);
  py = new Float64Array(MAX);
  pz = new Float64Array(MAX);
  e = new Float64Array(MAX);
  m = new Float64Array(MAX);
  kind = new Int32Array(MAX);

  add(px: number, py: number, pz: number, m: number, kind: number): number {
    const i = this.n++;
    this.px[i] = px;
    this.py[i] = py;
    this.pz[i] = pz;
    this.m[i] = m;
    this.e[i] = Math.sqrt(px * px + py * py + pz * pz + m * m);
    this.kind[i] = kind;
    return i;
  }

  addPtEtaPhi(pt: number, eta: number, phi: number, m: number, kind: number): number {
    return this.add(pt * Math.cos(phi), pt * Math.sin(phi), pt * Math.sinh(eta), m, kind);
  }

  /**
   * Isotropic two-body decay of particle `i` (removed by marking it kind -1) into masses m1, m2,
   * boosted to the lab. Returns the index of the first daughter (the second follows).
   */
  decay(rng: Rng, i: number, m1: number, k1: number, m2: number, k2: number): number {
    const M = this.m[i]!,
      E = this.e[i]!;
    const bx = this.px[i]! / E,
      by = this.py[i]! / E,
      bz = this.pz[i]! / E;
    const gamma = E / M;
    const a = M * M - (m1 + m2) * (m1 + m2),
      b = M * M - (m1 - m2) * (m1 - m2);
    const p = Math.sqrt(Math.max(0, a * b)) / (2 * M);
    const cos = 2 * rng.uniform() - 1,
      sin = Math.sqrt(1 - cos * cos),
      phi = 2 * Math.PI * rng.uniform();
    const qx = p * sin * Math.cos(phi),
      qy = p * sin * Math.sin(phi),
      qz = p * cos;
    this.kind[i] = -1;
    const first = this.n;
    for (const [sign, m, k] of [
      [1, m1, k1],
      [-1, m2, k2],
    ] as const) {
      const rx = sign * qx,
        ry = sign * qy,
        rz = sign * qz;
      const re = Math.sqrt(p * p + m * m);
      const bp = bx * rx + by * ry + bz * rz;
      const f = ((gamma * gamma) / (gamma + 1)) * bp + gamma * re;
      this.add(rx + f * bx, ry + f * by, rz + f * bz, m, k);
    }
    return first;
  }
}

/** Growable output for one collection attribute. */
type F32 = Float32Array;

/** Output buffers for one chunk. */
class ChunkOut {
  njet: Uint32Array;
  nel: Uint32Array;
  nmu: Uint32Array;
  jpt: F32;
  jeta: F32;
  jphi: F32;
  jmass: F32;
  jbtag: F32;
  jqgl: F32;
  jid: Int32Array;
  jflav: Int32Array;
  ept: F32;
  eeta: F32;
  ephi: F32;
  emass: F32;
  esip: F32;
  eiso: F32;
  ecut: Int32Array;
  echg: Int32Array;
  mpt: F32;
  meta: F32;
  mphi: F32;
  mmass: F32;
  msip: F32;
  miso: F32;
  mtight: Uint8Array;
  mchg: Int32Array;
  met: F32;
  metphi: F32;
  genw: F32;
  scalew: F32;
  psw: F32;
  nj = 0;
  ne = 0;
  nm = 0;

  constructor(readonly n: number) {
    const J = n * MAX_JETS,
      L = n * MAX_LEP;
    this.njet = new Uint32Array(n);
    this.nel = new Uint32Array(n);
    this.nmu = new Uint32Array(n);
    this.jpt = new Float32Array(J);
    this.jeta = new Float32Array(J);
    this.jphi = new Float32Array(J);
    this.jmass = new Float32Array(J);
    this.jbtag = new Float32Array(J);
    this.jqgl = new Float32Array(J);
    this.jid = new Int32Array(J);
    this.jflav = new Int32Array(J);
    this.ept = new Float32Array(L);
    this.eeta = new Float32Array(L);
    this.ephi = new Float32Array(L);
    this.emass = new Float32Array(L);
    this.esip = new Float32Array(L);
    this.eiso = new Float32Array(L);
    this.ecut = new Int32Array(L);
    this.echg = new Int32Array(L);
    this.mpt = new Float32Array(L);
    this.meta = new Float32Array(L);
    this.mphi = new Float32Array(L);
    this.mmass = new Float32Array(L);
    this.msip = new Float32Array(L);
    this.miso = new Float32Array(L);
    this.mtight = new Uint8Array(L);
    this.mchg = new Int32Array(L);
    this.met = new Float32Array(n);
    this.metphi = new Float32Array(n);
    this.genw = new Float32Array(n);
    this.scalew = new Float32Array(n * 9);
    this.psw = new Float32Array(n * 4);
  }
}

/** Branch list of the generated `Events` tree, with NanoAOD's names and types. */
export const EVENT_SCHEMA: TreeSchema = (
  [
    { name: "run", type: "u32" },
    { name: "luminosityBlock", type: "u32" },
    { name: "event", type: "u64" },
    { name: "genWeight", type: "f32" },
    { name: "LHEWeight_originalXWGTUP", type: "f32" },
    { name: "nLHEScaleWeight", type: "u32" },
    { name: "LHEScaleWeight", type: "f32", counter: "nLHEScaleWeight" },
    { name: "nPSWeight", type: "u32" },
    { name: "PSWeight", type: "f32", counter: "nPSWeight" },
    { name: "MET_pt", type: "f32" },
    { name: "MET_phi", type: "f32" },
    { name: "nJet", type: "u32" },
    ...["pt", "eta", "phi", "mass", "btagCSVV2", "qgl"].map((a) => ({ name: `Jet_${a}`, type: "f32", counter: "nJet" })),
    { name: "Jet_jetId", type: "i32", counter: "nJet" },
    { name: "Jet_hadronFlavour", type: "i32", counter: "nJet" },
    { name: "nElectron", type: "u32" },
    ...["pt", "eta", "phi", "mass", "sip3d", "pfRelIso03_all"].map((a) => ({ name: `Electron_${a}`, type: "f32", counter: "nElectron" })),
    { name: "Electron_cutBased", type: "i32", counter: "nElectron" },
    { name: "Electron_charge", type: "i32", counter: "nElectron" },
    { name: "nMuon", type: "u32" },
    ...["pt", "eta", "phi", "mass", "sip3d", "pfRelIso04_all"].map((a) => ({ name: `Muon_${a}`, type: "f32", counter: "nMuon" })),
    { name: "Muon_tightId", type: "bool", counter: "nMuon" },
    { name: "Muon_charge", type: "i32", counter: "nMuon" },
  ] as Array<{ name: string; type: string; counter?: string }>
).map((b) => ({ ...b, type: b.type as LeafType }));

/**
 * Generates `n` events of `model` (event numbers from `firstEvent`) and returns their columns.
 */
export function generateChunk(rng: Rng, model: ProcessModel, n: number, firstEvent: number): Columns {
  const s = new Scratch();
  const o = new ChunkOut(n);
  const order = new Int32Array(MAX);
  for (let ev = 0; ev < n; ev++) {
    s.n = 0;
    buildHardProcess(rng, model, s);
    detector(rng, model, s, o, ev, order);
    weights(rng, model, o, ev);
  }
  return assemble(o, n, firstEvent);
}

function gamma2(rng: Rng, mean: number): number {
  // Gamma(k=2) with the given mean: a soft-peaked, exponentially falling pT spectrum.
  return (mean / 2) * (-Math.log(rng.uniform()) - Math.log(rng.uniform()));
}

function buildHardProcess(rng: Rng, model: ProcessModel, s: Scratch): void {
  for (let t = 0; t < model.tops; t++) {
    const mt = M_TOP + W_TOP * rng.normal();
    const top = s.addPtEtaPhi(gamma2(rng, model.topPtMean), 1.4 * rng.normal(), 2 * Math.PI * rng.uniform(), mt, 6);
    const d = s.decay(rng, top, M_B, KIND_B, Math.max(60, M_W + W_W * rng.normal()), 24);
    decayW(rng, s, d + 1);
  }
  for (let w = 0; w < model.extraW; w++) {
    const i = s.addPtEtaPhi(gamma2(rng, model.wPtMean), 1.8 * rng.normal(), 2 * Math.PI * rng.uniform(), Math.max(60, M_W + W_W * rng.normal()), 24);
    decayW(rng, s, i);
  }
  for (let b = 0; b < model.extraB; b++) s.addPtEtaPhi(15 + rng.exponential(40), 1.6 * rng.normal(), 2 * Math.PI * rng.uniform(), M_B, KIND_B);
  if (model.forwardJet) {
    const eta = (rng.uniform() < 0.5 ? -1 : 1) * (1.5 + 1.2 * Math.abs(rng.normal()));
    s.addPtEtaPhi(20 + rng.exponential(35), eta, 2 * Math.PI * rng.uniform(), 0, KIND_LIGHT);
  }
  const nisr = rng.poisson(model.isrMean);
  for (let k = 0; k < nisr; k++) {
    const u = rng.uniform();
    const kind = u < model.isrB ? KIND_B : u < model.isrB + model.isrC ? KIND_C : KIND_GLUON;
    s.addPtEtaPhi(15 + rng.exponential(model.isrPtMean), 2.2 * rng.normal(), 2 * Math.PI * rng.uniform(), kind === KIND_B ? M_B : 0, kind);
  }
}

/** W decays: e nu and mu nu 10.8% each, tau nu 10.8% (seen as a soft jet), else two quarks (half the time one is charm). */
function decayW(rng: Rng, s: Scratch, w: number): void {
  const r = rng.uniform();
  if (r < 0.108) s.decay(rng, w, 0.000511, KIND_E, 0, KIND_NU);
  else if (r < 0.216) s.decay(rng, w, 0.1057, KIND_MU, 0, KIND_NU);
  else if (r < 0.324) s.decay(rng, w, 1.777, KIND_TAU, 0, KIND_NU);
  else s.decay(rng, w, 0, rng.uniform() < 0.5 ? KIND_C : KIND_LIGHT, 0, KIND_LIGHT);
}

function detector(rng: Rng, model: ProcessModel, s: Scratch, o: ChunkOut, ev: number, order: Int32Array): void {
  // Reconstructed objects overwrite the scratch kinematics in place: pt, eta, phi, mass arrays.
  const pt = s.px,
    eta = s.py,
    phi = s.pz,
    mass = s.m;
  let metx = 0,
    mety = 0;
  let njetCand = 0;
  for (let i = 0; i < s.n; i++) {
    const k = s.kind[i]!;
    if (k < 0) continue;
    const px = s.px[i]!,
      py = s.py[i]!,
      pz = s.pz[i]!;
    let p = Math.hypot(px, py);
    const h = Math.asinh(pz / Math.max(p, 1e-9));
    const f = Math.atan2(py, px);
    if (k === KIND_NU) {
      metx += px;
      mety += py;
      s.kind[i] = -1;
      continue;
    }
    if (k === KIND_E || k === KIND_MU) {
      p *= 1 + 0.02 * rng.normal();
      if (p < (k === KIND_E ? 5 : 3) || Math.abs(h) > (k === KIND_E ? 2.5 : 2.4)) {
        s.kind[i] = -1;
        continue;
      }
      pt[i] = p;
      eta[i] = h;
      phi[i] = f;
      continue;
    }
    // Quarks, gluons and hadronic taus become jets: energy scale, resolution, acceptance.
    const vis = k === KIND_TAU ? 0.6 : 1;
    const res = Math.sqrt(0.05 * 0.05 + 0.8 / Math.max(p, 5));
    p *= vis * model.jetScale * (1 + res * rng.normal());
    if (p < 15 || Math.abs(h) > 4.7) {
      s.kind[i] = -1;
      continue;
    }
    pt[i] = p;
    eta[i] = h;
    phi[i] = f;
    mass[i] = (k === KIND_B ? M_B : 0) + p * 0.04 * (0.5 + rng.uniform());
    njetCand++;
  }
  // Non-prompt leptons from heavy-flavour decays and fakes: soft, non-isolated, mostly failing ID.
  const extra = rng.poisson(0.08 + 0.04 * njetCand) + rng.poisson(0.1 + 0.05 * njetCand);
  for (let x = 0; x < extra && s.n < MAX; x++) {
    const i = s.n++;
    s.kind[i] = x % 2 === 0 ? -KIND_MU : -KIND_E; // negative: non-prompt marker, resolved below
    pt[i] = 3 + rng.exponential(7);
    eta[i] = 1.3 * rng.normal();
    phi[i] = 2 * Math.PI * rng.uniform();
    if (Math.abs(eta[i]!) > 2.4) s.kind[i] = -1;
  }
  writeJets(rng, model, s, o, ev, order);
  writeLeptons(rng, s, o, ev, order);
  metx += 12 * rng.normal();
  mety += 12 * rng.normal();
  o.met[ev] = Math.hypot(metx, mety);
  o.metphi[ev] = Math.atan2(mety, metx);
}

/** Sorts scratch indices matching `want` by pt, descending (insertion sort: a handful of objects). */
function sortedBy(s: Scratch, pt: Float64Array, want: (k: number) => boolean, order: Int32Array): number {
  let n = 0;
  for (let i = 0; i < s.n; i++) {
    if (!want(s.kind[i]!)) continue;
    let j = n++;
    while (j > 0 && pt[order[j - 1]!]! < pt[i]!) {
      order[j] = order[j - 1]!;
      j--;
    }
    order[j] = i;
  }
  return n;
}

const isJet = (k: number): boolean => k === KIND_LIGHT || k === KIND_C || k === KIND_B || k === KIND_GLUON || k === KIND_TAU;

function writeJets(rng: Rng, model: ProcessModel, s: Scratch, o: ChunkOut, ev: number, order: Int32Array): void {
  const n = Math.min(MAX_JETS, sortedBy(s, s.px, isJet, order));
  o.njet[ev] = n;
  for (let r = 0; r < n; r++) {
    const i = order[r]!,
      j = o.nj++;
    const k = s.kind[i]!;
    const h = s.py[i]!;
    o.jpt[j] = s.px[i]!;
    o.jeta[j] = h;
    o.jphi[j] = s.pz[i]!;
    o.jmass[j] = s.m[i]!;
    const u = rng.uniform();
    // CSVv2 stand-in: b jets pile up near 1, charm in between, light near 0; -10 outside the tracker.
    o.jbtag[j] = Math.abs(h) > 2.4 ? -10 : k === KIND_B ? 1 - u ** model.bTagK : k === KIND_C ? u ** 2.2 : u ** 8.3;
    o.jqgl[j] = k === KIND_GLUON ? rng.uniform() ** 1.6 : 1 - rng.uniform() ** 1.6;
    const id = rng.uniform();
    o.jid[j] = id < 0.94 ? 6 : id < 0.98 ? 2 : 0;
    o.jflav[j] = k === KIND_B ? 5 : k === KIND_C ? 4 : 0;
  }
}

function writeLeptons(rng: Rng, s: Scratch, o: ChunkOut, ev: number, order: Int32Array): void {
  const ne = Math.min(
    MAX_LEP,
    sortedBy(s, s.px, (k) => k === KIND_E || k === -KIND_E, order),
  );
  o.nel[ev] = ne;
  for (let r = 0; r < ne; r++) {
    const i = order[r]!,
      j = o.ne++;
    const prompt = s.kind[i]! > 0;
    o.ept[j] = s.px[i]!;
    o.eeta[j] = s.py[i]!;
    o.ephi[j] = s.pz[i]!;
    o.emass[j] = 0.000511;
    o.echg[j] = rng.uniform() < 0.5 ? -1 : 1;
    const u = rng.uniform();
    // Tight cut-based ID (4) for ~75% of prompt electrons, ~5% of non-prompt ones.
    o.ecut[j] = prompt ? (u < 0.75 ? 4 : u < 0.85 ? 3 : u < 0.93 ? 2 : u < 0.98 ? 1 : 0) : u < 0.5 ? 0 : u < 0.75 ? 1 : u < 0.88 ? 2 : u < 0.95 ? 3 : 4;
    o.esip[j] = Math.abs(rng.normal()) * (prompt ? 1.1 : 4);
    o.eiso[j] = rng.exponential(prompt ? 0.04 : 0.5);
  }
  const nm = Math.min(
    MAX_LEP,
    sortedBy(s, s.px, (k) => k === KIND_MU || k === -KIND_MU, order),
  );
  o.nmu[ev] = nm;
  for (let r = 0; r < nm; r++) {
    const i = order[r]!,
      j = o.nm++;
    const prompt = s.kind[i]! > 0;
    o.mpt[j] = s.px[i]!;
    o.meta[j] = s.py[i]!;
    o.mphi[j] = s.pz[i]!;
    o.mmass[j] = 0.1057;
    o.mchg[j] = rng.uniform() < 0.5 ? -1 : 1;
    o.mtight[j] = rng.uniform() < (prompt ? 0.96 : 0.35) ? 1 : 0;
    o.msip[j] = Math.abs(rng.normal()) * (prompt ? 1.1 : 4);
    o.miso[j] = rng.exponential(prompt ? 0.035 : 0.6);
  }
}

function weights(rng: Rng, model: ProcessModel, o: ChunkOut, ev: number): void {
  o.genw[ev] = (rng.uniform() < model.negativeWeights ? -1 : 1) * model.genWeight;
  // Scale weights in NanoAOD order (muR, muF) = (0.5,0.5) ... (2,2): lower scales raise the rate.
  const jitter = 0.03 * rng.normal();
  for (let q = 0; q < 9; q++) {
    const r = Math.floor(q / 3),
      f = q % 3;
    o.scalew[ev * 9 + q] = q === 4 ? 1 : (1 + (0.12 + jitter) * (1 - r)) * (1 + 0.04 * (1 - f));
  }
  for (let q = 0; q < 4; q++) o.psw[ev * 4 + q] = 1 + (q % 2 === 0 ? 1 : -1) * Math.abs(0.05 + 0.03 * rng.normal());
}

function offsetsOf(counts: Uint32Array): Int32Array {
  const off = new Int32Array(counts.length + 1);
  for (let i = 0; i < counts.length; i++) off[i + 1] = off[i]! + counts[i]!;
  return off;
}

function fixedOffsets(n: number, k: number): Int32Array {
  const off = new Int32Array(n + 1);
  for (let i = 0; i <= n; i++) off[i] = i * k;
  return off;
}

function assemble(o: ChunkOut, n: number, firstEvent: number): Columns {
  const jo = offsetsOf(o.njet),
    eo = offsetsOf(o.nel),
    mo = offsetsOf(o.nmu);
  const J = (a: Float32Array | Int32Array): Jagged => new Jagged(jo, a.subarray(0, o.nj));
  const E = (a: Float32Array | Int32Array): Jagged => new Jagged(eo, a.subarray(0, o.ne));
  const M = (a: Float32Array | Int32Array | Uint8Array): Jagged => new Jagged(mo, a.subarray(0, o.nm));
  const event = new BigUint64Array(n);
  const lumi = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    event[i] = BigInt(firstEvent + i);
    lumi[i] = 1 + Math.floor((firstEvent + i) / 2000);
  }
  return {
    run: new Uint32Array(n).fill(1),
    luminosityBlock: lumi,
    event,
    genWeight: o.genw,
    LHEWeight_originalXWGTUP: o.genw,
    nLHEScaleWeight: new Uint32Array(n).fill(9),
    LHEScaleWeight: new Jagged(fixedOffsets(n, 9), o.scalew),
    nPSWeight: new Uint32Array(n).fill(4),
    PSWeight: new Jagged(fixedOffsets(n, 4), o.psw),
    MET_pt: o.met,
    MET_phi: o.metphi,
    nJet: o.njet,
    Jet_pt: J(o.jpt),
    Jet_eta: J(o.jeta),
    Jet_phi: J(o.jphi),
    Jet_mass: J(o.jmass),
    Jet_btagCSVV2: J(o.jbtag),
    Jet_qgl: J(o.jqgl),
    Jet_jetId: J(o.jid),
    Jet_hadronFlavour: J(o.jflav),
    nElectron: o.nel,
    Electron_pt: E(o.ept),
    Electron_eta: E(o.eeta),
    Electron_phi: E(o.ephi),
    Electron_mass: E(o.emass),
    Electron_sip3d: E(o.esip),
    Electron_pfRelIso03_all: E(o.eiso),
    Electron_cutBased: E(o.ecut),
    Electron_charge: E(o.echg),
    nMuon: o.nmu,
    Muon_pt: M(o.mpt),
    Muon_eta: M(o.meta),
    Muon_phi: M(o.mphi),
    Muon_mass: M(o.mmass),
    Muon_sip3d: M(o.msip),
    Muon_pfRelIso04_all: M(o.miso),
    Muon_tightId: M(o.mtight),
    Muon_charge: M(o.mchg),
  };
}
