// AGC ttbar: object selection, regions and observables (spec §3–§4), as column loops over the
// NanoAOD jagged branches. The float32 arithmetic of the reference is emulated with
// Math.fround wherever the spec says the reference computes in float32 (§4.1).

export const B_TAG_THRESHOLD = 0.5;
import { env } from "node:process";

/**
 * Luminosity (pb^-1) the simulation is normalised to: the analysis' 3378 (spec §1.3) unless
 * HEPFLOW_AGC_LUMI says otherwise (e.g. to match pseudo-data generated at a smaller luminosity).
 * Read from the environment so worker threads see the same value.
 */
export const LUMI = env.HEPFLOW_AGC_LUMI !== undefined ? Number(env.HEPFLOW_AGC_LUMI) : 3378;
if (!(LUMI > 0)) throw new Error(`HEPFLOW_AGC_LUMI must be a positive number of pb^-1 (got "${env.HEPFLOW_AGC_LUMI}")`);

/** Cross sections in pb exactly as the reference code computes them (spec §1.3). */
export const XSEC = {
  ttbar: 396.87 + 332.97,
  single_top_s_chan: 2.0268 + 1.2676,
  single_top_t_chan: (36.993 + 22.175) / 0.252,
  single_top_tW: 37.936 + 37.906,
  wjets: 61457 * 0.252,
};

const f32 = Math.fround;
const same = (x) => x;

// The reference compares float32 columns with Python floats through NumPy 1.x, whose
// value-based casting does the comparison in float32: the thresholds are float32(2.1) etc.
// (matters for values stored exactly at the cut, e.g. eta = float32(2.1) fails |eta| < 2.1).
const LEP_ETA = f32(2.1), JET_ETA = f32(2.4), MU_ISO = f32(0.15);

/** Per event: number of selected leptons (electrons + muons), spec §3. */
export function countLeptons(el, mu) {
  const n = el.pt.offsets.length - 1;
  const out = new Uint8Array(n);
  const eo = el.pt.offsets, ept = el.pt.content, eeta = el.eta.content, eid = el.cutBased.content, esip = el.sip3d.content;
  const mo = mu.pt.offsets, mpt = mu.pt.content, meta = mu.eta.content, mid = mu.tightId.content, msip = mu.sip3d.content, miso = mu.pfRelIso04_all.content;
  for (let e = 0; e < n; e++) {
    let c = 0;
    for (let i = eo[e]; i < eo[e + 1]; i++) if (ept[i] > 30 && Math.abs(eeta[i]) < LEP_ETA && eid[i] === 4 && esip[i] < 4) c++;
    for (let i = mo[e]; i < mo[e + 1]; i++) if (mpt[i] > 30 && Math.abs(meta[i]) < LEP_ETA && mid[i] && msip[i] < 4 && miso[i] < MU_ISO) c++;
    out[e] = c > 255 ? 255 : c;
  }
  return out;
}

/** Per jet: the pt-independent part of the jet selection (|eta| < 2.4, tight-lepton-veto ID bit). */
export function jetBaseMask(jet) {
  const eta = jet.eta.content, id = jet.jetId.content, out = new Uint8Array(eta.length);
  for (let i = 0; i < eta.length; i++) out[i] = Math.abs(eta[i]) < JET_ETA && (id[i] & 4) !== 0 ? 1 : 0;
  return out;
}

/** pt_scale_up: float32(pt × float32(1.03)), spec §4.1. */
export function scaledPt(pt) {
  const k = f32(1.03), out = new Float32Array(pt.length);
  for (let i = 0; i < pt.length; i++) out[i] = pt[i] * k; // Float32Array store rounds to float32
  return out;
}

/**
 * pt_res_up: pt × N(1, 0.05) in float64. The reference draws unseeded numbers; hepflow derives
 * each jet's factor from (seed, entry number, jet index in the event) with a counter-based
 * hash and Box–Muller, so results do not depend on chunking or worker count.
 */
export function smearedPt(pt, offsets, entryStart, seed) {
  const out = new Float64Array(pt.length);
  const n = offsets.length - 1;
  for (let e = 0; e < n; e++) {
    const entry = entryStart + e;
    for (let i = offsets[e], j = 0; i < offsets[e + 1]; i++, j++) out[i] = pt[i] * (1 + 0.05 * gaussian(seed, entry, j));
  }
  return out;
}

function mix(h) {
  h ^= h >>> 16; h = Math.imul(h, 0x7feb352d); h ^= h >>> 15; h = Math.imul(h, 0x846ca68b); h ^= h >>> 16;
  return h >>> 0;
}

/** A standard normal deviate that is a pure function of (seed, entry, jet). */
export function gaussian(seed, entry, jet) {
  const base = mix(seed ^ mix(entry ^ mix((entry / 4294967296) >>> 0) ^ Math.imul(jet + 1, 0x9e3779b1)));
  const u1 = (mix(base ^ 0x68e31da4) + 0.5) / 4294967296; // (0, 1): never log(0)
  const u2 = mix(base ^ 0xb5297a4d) / 4294967296;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** A 32-bit seed from a string (sample name + file index), FNV-1a. */
export function seedOf(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * One systematic pass over a chunk: select jets with the given pt column, classify events,
 * compute the region observable. Calls `fill(event, region, observable, firstFourPtIdx)` for
 * each event in 4j1b (region 0) or 4j2b (region 1); `sel` receives the selected jet indices.
 * `float32` says whether the observable arithmetic is float32 (nominal, pt_scale_up) or float64.
 */
export function runPass(jet, ptv, base, nLep, float32, visit, cut) {
  const r = float32 ? f32 : same;
  const offs = jet.pt.offsets, btag = jet.btagCSVV2.content, eta = jet.eta.content, phi = jet.phi.content, mass = jet.mass.content;
  const n = offs.length - 1;
  let sel = new Int32Array(16);
  let px = new Float64Array(16), py = new Float64Array(16), pz = new Float64Array(16), en = new Float64Array(16);
  for (let e = 0; e < n; e++) {
    if (nLep[e] !== 1) continue;
    if (cut) cut.oneLepton++;
    let nj = 0, nb = 0;
    for (let i = offs[e]; i < offs[e + 1]; i++) {
      if (base[i] && ptv[i] > 30) {
        if (nj === sel.length) {
          const grow = (a) => { const b = new a.constructor(a.length * 2); b.set(a); return b; };
          sel = grow(sel); px = grow(px); py = grow(py); pz = grow(pz); en = grow(en);
        }
        sel[nj++] = i;
        if (btag[i] > B_TAG_THRESHOLD) nb++;
      }
    }
    if (nj < 4) continue;
    if (cut) cut.fourJets++;
    if (nb === 0) continue;
    if (cut) cut.oneBtag++;
    let obs;
    if (nb === 1) {
      // H_T: running sum in jet order (float32 for float32 passes)
      let ht = 0;
      for (let k = 0; k < nj; k++) ht = r(ht + ptv[sel[k]]);
      obs = ht;
      if (cut) cut.r4j1b++;
    } else {
      for (let k = 0; k < nj; k++) {
        const i = sel[k], p = ptv[i];
        const x = r(p * r(Math.cos(phi[i]))), y = r(p * r(Math.sin(phi[i]))), z = r(p * r(Math.sinh(eta[i]))), m = mass[i];
        px[k] = x; py[k] = y; pz[k] = z;
        en[k] = r(Math.sqrt(r(r(r(r(x * x) + r(y * y)) + r(z * z)) + r(m * m))));
      }
      let best = -1, bestMass = 0;
      for (let a = 0; a < nj - 2; a++) for (let b = a + 1; b < nj - 1; b++) for (let c = b + 1; c < nj; c++) {
        if (!(btag[sel[a]] > B_TAG_THRESHOLD || btag[sel[b]] > B_TAG_THRESHOLD || btag[sel[c]] > B_TAG_THRESHOLD)) continue;
        const x = r(r(px[a] + px[b]) + px[c]), y = r(r(py[a] + py[b]) + py[c]);
        const pt = r(Math.sqrt(r(r(x * x) + r(y * y))));
        if (pt > best) { // strict: the first triplet wins an exact tie
          best = pt;
          const z = r(r(pz[a] + pz[b]) + pz[c]), t = r(r(en[a] + en[b]) + en[c]);
          const m2 = r(r(r(r(t * t) - r(x * x)) - r(y * y)) - r(z * z));
          // sign-preserving root: a (rounding-)negative m² lands in the underflow bin, not NaN
          bestMass = m2 >= 0 ? r(Math.sqrt(m2)) : -r(Math.sqrt(-m2));
        }
      }
      obs = bestMass;
      if (cut) cut.r4j2b++;
    }
    visit(e, nb === 1 ? 0 : 1, obs, sel);
  }
}
