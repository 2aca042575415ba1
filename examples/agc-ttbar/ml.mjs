// The AGC ML variant (spec §7, §6.2): in every 4j2b event, score each jet–parton assignment
// ("permutation") with the even/odd XGBoost BDTs, keep the best one's 20 features and fill them,
// with all systematics, into histograms_ml.root. Enabled by the processor parameter `ml`; the
// models come from the folder of the `models` parameter.
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { and, gt, ge, countTrue, select, filterEvents, zip, nth } from "hepflow/array";
import { Hist, Regular, StrCategory, toAccumulator, fromAccumulator, toRoot } from "hepflow/hist";
import { xgboostPredict, parseXGBoost } from "hepflow/ml";
import { createFile } from "hepflow/root";
import { PROCESSES, VARIATIONS } from "./histograms.mjs";
import { ML_COLUMNS, checkModels, modelDir } from "./models.mjs";
import { B_TAG_THRESHOLD, PT_THRESHOLD, tightLeptons } from "./physics.mjs";

export { ML_COLUMNS, checkModels, modelDir };

/** The 20 features of §7.3 in model order, with the histogram ranges of §7.6 (25 regular bins each). */
export const FEATURES = [
  ["deltar_leptonbtoplep", 0, 6],
  ["deltar_w1w2", 0, 6],
  ["deltar_w1btophad", 0, 6],
  ["deltar_w2btophad", 0, 6],
  ["mass_leptonbtoplep", 50, 300],
  ["mass_w1w2", 50, 300],
  ["mass_w1w2btophad", 50, 550],
  ["pt_w1w2btophad", 50, 550],
  ["pt_w1", 25, 300],
  ["pt_w2", 25, 300],
  ["pt_btophad", 25, 300],
  ["pt_btoplep", 25, 300],
  ["btag_w1", 0, 1],
  ["btag_w2", 0, 1],
  ["btag_btophad", 0, 1],
  ["btag_btoplep", 0, 1],
  ["qgl_w1", -1, 1],
  ["qgl_w2", -1, 1],
  ["qgl_btophad", -1, 1],
  ["qgl_btoplep", -1, 1],
].map(([name, lo, hi]) => ({ name, lo, hi }));
const NF = 20;

/**
 * Jet–parton assignments for n = 4, 5, 6 jets (§7.2): ordered 4-tuples (W1, W2, b_tophad,
 * b_toplep) of distinct jets in lexicographic order, keeping those with W1 > W2 — 12, 60, 180.
 */
export const PERMUTATIONS = [4, 5, 6].map((n) => {
  const out = [];
  for (let a = 0; a < n; a++)
    for (let b = 0; b < n; b++)
      for (let c = 0; c < n; c++)
        for (let d = 0; d < n; d++) {
          if (a === b || a === c || a === d || b === c || b === d || c === d || !(a > b)) continue;
          out.push(a, b, c, d);
        }
  return Int8Array.from(out);
});

const f = Math.fround;

/**
 * Feature matrix (float32, rows = all permutations of all events, 20 per row) for events given as
 * flat per-event jet arrays (jets of event e at offsets[e]..offsets[e+1], at most the first six
 * used) and one lepton per event. Arithmetic in float32 like the reference (§4.1, §7.3): every
 * operation rounded, ΔR with the raw (unwrapped) Δφ.
 */
export function permutationFeatures(jets, offsets, lep) {
  const nEv = offsets.length - 1;
  const perEvent = new Int32Array(nEv + 1);
  for (let e = 0; e < nEv; e++) {
    const n = Math.min(6, offsets[e + 1] - offsets[e]);
    perEvent[e + 1] = perEvent[e] + (n >= 4 ? PERMUTATIONS[n - 4].length / 4 : 0);
  }
  const x = new Float32Array(perEvent[nEv] * NF);
  const px = new Float64Array(6),
    py = new Float64Array(6),
    pz = new Float64Array(6),
    E = new Float64Array(6);
  for (let e = 0; e < nEv; e++) {
    const j0 = offsets[e],
      n = Math.min(6, offsets[e + 1] - j0);
    if (n < 4) continue;
    for (let i = 0; i < n; i++) {
      const pt = jets.pt[j0 + i],
        eta = jets.eta[j0 + i],
        phi = jets.phi[j0 + i],
        m = jets.mass[j0 + i];
      px[i] = f(pt * f(Math.cos(phi)));
      py[i] = f(pt * f(Math.sin(phi)));
      pz[i] = f(pt * f(Math.sinh(eta)));
      E[i] = f(Math.sqrt(f(f(f(f(px[i] * px[i]) + f(py[i] * py[i])) + f(pz[i] * pz[i])) + f(m * m))));
    }
    const lpt = lep.pt[e],
      leta = lep.eta[e],
      lphi = lep.phi[e],
      lm = lep.mass[e];
    const lpx = f(lpt * f(Math.cos(lphi))),
      lpy = f(lpt * f(Math.sin(lphi))),
      lpz = f(lpt * f(Math.sinh(leta)));
    const lE = f(Math.sqrt(f(f(f(f(lpx * lpx) + f(lpy * lpy)) + f(lpz * lpz)) + f(lm * lm))));
    const perms = PERMUTATIONS[n - 4];
    for (let p = 0, row = perEvent[e] * NF; p < perms.length; p += 4, row += NF) {
      const a = perms[p],
        b = perms[p + 1],
        c = perms[p + 2],
        d = perms[p + 3];
      const A = j0 + a,
        B = j0 + b,
        C = j0 + c,
        D = j0 + d;
      x[row] = dR(leta, lphi, jets.eta[D], jets.phi[D]);
      x[row + 1] = dR(jets.eta[A], jets.phi[A], jets.eta[B], jets.phi[B]);
      x[row + 2] = dR(jets.eta[A], jets.phi[A], jets.eta[C], jets.phi[C]);
      x[row + 3] = dR(jets.eta[B], jets.phi[B], jets.eta[C], jets.phi[C]);
      x[row + 4] = mass(f(lpx + px[d]), f(lpy + py[d]), f(lpz + pz[d]), f(lE + E[d]));
      const wx = f(px[a] + px[b]),
        wy = f(py[a] + py[b]),
        wz = f(pz[a] + pz[b]),
        wE = f(E[a] + E[b]);
      x[row + 5] = mass(wx, wy, wz, wE);
      const tx = f(wx + px[c]),
        ty = f(wy + py[c]);
      x[row + 6] = mass(tx, ty, f(wz + pz[c]), f(wE + E[c]));
      x[row + 7] = f(Math.sqrt(f(f(tx * tx) + f(ty * ty))));
      x[row + 8] = jets.pt[A];
      x[row + 9] = jets.pt[B];
      x[row + 10] = jets.pt[C];
      x[row + 11] = jets.pt[D];
      x[row + 12] = jets.btag[A];
      x[row + 13] = jets.btag[B];
      x[row + 14] = jets.btag[C];
      x[row + 15] = jets.btag[D];
      x[row + 16] = jets.qgl[A];
      x[row + 17] = jets.qgl[B];
      x[row + 18] = jets.qgl[C];
      x[row + 19] = jets.qgl[D];
    }
  }
  return { x, perEvent };
}

function dR(eta1, phi1, eta2, phi2) {
  const de = f(eta1 - eta2),
    dp = f(phi1 - phi2);
  return f(Math.sqrt(f(f(de * de) + f(dp * dp))));
}
function mass(px, py, pz, E) {
  const m2 = f(f(E * E) - f(f(f(px * px) + f(py * py)) + f(pz * pz)));
  return m2 > 0 ? f(Math.sqrt(m2)) : 0;
}

/**
 * The chosen permutation's 20 features per event (one Float32Array per feature): rows of even
 * events are scored with model_odd and odd ones with model_even (§7.4), each model once over all
 * its rows; the highest score wins, the first on ties.
 */
export function bestFeatures(x, perEvent, eventNumbers, models) {
  const nEv = perEvent.length - 1,
    nRows = perEvent[nEv];
  const which = new Uint8Array(nEv); // 0: model_even (odd events), 1: model_odd (even events)
  const count = [0, 0];
  for (let e = 0; e < nEv; e++) {
    which[e] = (BigInt(eventNumbers[e]) & 1n) === 1n ? 0 : 1;
    count[which[e]] += perEvent[e + 1] - perEvent[e];
  }
  // each model once over all its rows; an event's rows are contiguous, so they move as one block
  const score = new Float32Array(nRows);
  for (let k = 0; k < 2; k++) {
    if (!count[k]) continue;
    const all = count[k] === nRows;
    const xs = all ? x : new Float32Array(count[k] * NF);
    if (!all)
      for (let e = 0, at = 0; e < nEv; e++)
        if (which[e] === k) {
          xs.set(x.subarray(perEvent[e] * NF, perEvent[e + 1] * NF), at);
          at += (perEvent[e + 1] - perEvent[e]) * NF;
        }
    const s = xgboostPredict(models[k], xs, count[k]);
    if (all) score.set(s);
    else
      for (let e = 0, at = 0; e < nEv; e++)
        if (which[e] === k) {
          score.set(s.subarray(at, at + perEvent[e + 1] - perEvent[e]), perEvent[e]);
          at += perEvent[e + 1] - perEvent[e];
        }
  }
  const out = FEATURES.map(() => new Float32Array(nEv).fill(NaN));
  for (let e = 0; e < nEv; e++) {
    let best = -1,
      bestScore = -Infinity;
    for (let r = perEvent[e]; r < perEvent[e + 1]; r++)
      if (score[r] > bestScore) {
        bestScore = score[r];
        best = r;
      }
    if (best >= 0) for (let k = 0; k < NF; k++) out[k][e] = x[best * NF + k];
  }
  return out;
}

/** The even/odd forests, parsed once per worker thread. */
async function forests(models) {
  return checkModels(models).map(parseXGBoostOnce);
}
const parsed = new Map();
function parseXGBoostOnce(p) {
  if (!parsed.has(p)) parsed.set(p, parseXGBoost(JSON.parse(readFileSync(p, "utf8")), p));
  return parsed.get(p);
}

/** The single tight lepton of each (one-lepton) event, electrons first (§3, §7.3). */
function theLepton(el, mu, ptCut) {
  const { goodEl, goodMu } = tightLeptons(el, mu, ptCut);
  const e = select(zip({ pt: el.pt, eta: el.eta, phi: el.phi, mass: el.mass }), goodEl);
  const m = select(zip({ pt: mu.pt, eta: mu.eta, phi: mu.phi, mass: mu.mass }), goodMu);
  const n = e.pt.offsets.length - 1;
  const out = { pt: new Float32Array(n), eta: new Float32Array(n), phi: new Float32Array(n), mass: new Float32Array(n) };
  for (const k of ["pt", "eta", "phi", "mass"]) {
    const fe = nth(e[k], 0),
      fm = nth(m[k], 0);
    for (let i = 0; i < n; i++) out[k][i] = Number.isNaN(fe[i]) ? fm[i] : fe[i];
  }
  return out;
}

/** Empty ML feature histograms: observable × process × variation per feature, weighted (§7.6). */
export function mlHists() {
  return FEATURES.map(({ name, lo, hi }) => new Hist([Regular(25, lo, hi, { name: "observable" }), StrCategory(PROCESSES, { name: "process" }), StrCategory(VARIATIONS, { name: "variation" })], { storage: "weight", name }));
}

/**
 * The ML part of one chunk: `jets`, `entry` and the electron/muon collections are those of the
 * one-lepton events; `passes` are [label, pt column] jet-kinematic passes (nominal first);
 * weights as the main analysis (§5.3, §7.6). Returns {feature name: histogram accumulator}.
 */
export async function mlProcess({ el, mu, jets, eventNumbers, flags, passes, proc, w, systematics, models: folder, ptCut = PT_THRESHOLD }) {
  const models = await forests(folder);
  const lep = theLepton(el, mu, ptCut);
  const hists = mlHists();
  for (const [label, ptv, isNominal] of passes) {
    const good = and(flags.accepted, gt(ptv, ptCut));
    const nB = countTrue(and(good, flags.btagged));
    const region = and(ge(countTrue(good), 4), ge(nB, 2));
    const ev = filterEvents(
      {
        jets: zip({ pt: ptv, eta: jets.eta, phi: jets.phi, mass: jets.mass, btag: jets.btagCSVV2, qgl: jets.qgl }),
        good,
        lpt: lep.pt,
        leta: lep.eta,
        lphi: lep.phi,
        lmass: lep.mass,
        event: eventNumbers,
      },
      region,
    );
    const sel = select(ev.jets, ev.good);
    const flat = Object.fromEntries(["pt", "eta", "phi", "mass", "btag", "qgl"].map((k) => [k, sel[k].content])); // shared offsets
    const { x, perEvent } = permutationFeatures(flat, sel.pt.offsets, { pt: ev.lpt, eta: ev.leta, phi: ev.lphi, mass: ev.lmass });
    const feats = bestFeatures(x, perEvent, ev.event, models);
    const fill = (lbl, weight) => hists.forEach((h, k) => h.fill({ observable: feats[k], process: proc, variation: lbl }, { weight }));
    fill(label, w);
    if (!isNominal || !systematics) continue;
    for (let i = 0; i < 4; i++) {
      const ptI = nth(sel.pt, i);
      fill(
        `btag_var_${i}_up`,
        Float64Array.from(ptI, (p) => w * (1.0 + (p * 0.075) / 50)),
      );
      fill(
        `btag_var_${i}_down`,
        Float64Array.from(ptI, (p) => w * (1.0 - (p * 0.075) / 50)),
      );
    }
    if (proc === "wjets") {
      fill("scale_var_up", w * 1.025);
      fill("scale_var_down", w * 0.975);
    }
  }
  return Object.fromEntries(FEATURES.map(({ name }, k) => [name, toAccumulator(hists[k])]));
}

/** Reference work-around (§6.2): 1e-6 added to every in-range bin; a slice counts if its in-range sum exceeds 25e-6 × 1.01. */
const OFFSET = 1e-6;
const NON_EMPTY = 25 * OFFSET * 1.01;

/** The named ML histograms of §6.2 (`<feature>_<process>[_<variation>]`, `<feature>_pseudodata`) in name order. */
export function namedMlHistograms(accs) {
  const out = new Map();
  for (const { name: F } of FEATURES) {
    if (!accs?.[F]) continue;
    const h = fromAccumulator(accs[F]);
    const cells = {};
    for (const P of PROCESSES)
      for (const V of VARIATIONS) {
        const c = h.pick({ process: P, variation: V });
        // in-range bins only (flow bins are the first and last of the 1-D storage); no variance added
        const sumw = c.field("sumw");
        for (let i = 1; i < sumw.length - 1; i++) sumw[i] += OFFSET;
        cells[`${P}/${V}`] = c;
        if (c.sum({ flow: false }) > NON_EMPTY) out.set(V === "nominal" ? `${F}_${P}` : `${F}_${P}_${V}`, c);
      }
    const me = cells["ttbar/ME_var"],
      ps = cells["ttbar/PS_var"],
      wj = cells["wjets/nominal"];
    if ([me, ps, wj].every((c) => c.sum({ flow: false }) > NON_EMPTY)) out.set(`${F}_pseudodata`, me.copy().add(ps).scale(0.5).add(wj));
  }
  return new Map([...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Write histograms_ml.root into outDir. */
export async function writeMlOutputs(accs, outDir, print) {
  mkdirSync(outDir, { recursive: true });
  const named = namedMlHistograms(accs);
  const file = await createFile(join(outDir, "histograms_ml.root"));
  for (const [name, h] of named) file.putHistogram(name, toRoot(h, name, { title: name }));
  await file.close();
  print(`${named.size} ML histograms written to ${join(outDir, "histograms_ml.root")}\n`);
}

export { B_TAG_THRESHOLD };
