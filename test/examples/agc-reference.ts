/**
 * An independent per-event implementation of the AGC selection and observables (spec §3–§5),
 * written as a plain loop over event objects with float32 rounding through a Float32Array
 * (the processor uses Math.fround on columns). Cut thresholds are float32 values, as NumPy 1.x
 * compares float32 arrays with Python floats in float32. Used to cross-check the processor.
 */
import type { Ev, Jet } from "./agc-events.js";

const buf = new Float32Array(1);
const f32 = (x: number): number => {
  buf[0] = x;
  return buf[0]!;
};

export const XSEC: Record<string, number> = { ttbar: 729.84, single_top_s_chan: 3.2944, single_top_t_chan: 234.7936507936508, single_top_tW: 75.842, wjets: 15487.164 };

function leptons(e: Ev): number {
  const el = (e.electrons ?? []).filter((l) => f32(l.pt) > 30 && Math.abs(f32(l.eta)) < f32(2.1) && l.id === 4 && f32(l.sip3d) < 4);
  const mu = (e.muons ?? []).filter((l) => f32(l.pt) > 30 && Math.abs(f32(l.eta)) < f32(2.1) && l.id !== 0 && f32(l.sip3d) < 4 && f32(l.iso ?? 0) < f32(0.15));
  return el.length + mu.length;
}

interface Sel {
  j: Jet;
  pt: number;
}

/** Region (0 = 4j1b, 1 = 4j2b, -1 = none), observable, and the selected jets, for given per-jet pts. */
export function classify(e: Ev, pts: number[], float32: boolean): { region: number; obs: number; selected: Sel[] } {
  const r = float32 ? f32 : (x: number) => x;
  if (leptons(e) !== 1) return { region: -1, obs: NaN, selected: [] };
  const selected: Sel[] = [];
  e.jets.forEach((j, k) => {
    if (pts[k]! > 30 && Math.abs(f32(j.eta)) < f32(2.4) && (j.jetId & 4) !== 0) selected.push({ j, pt: pts[k]! });
  });
  const tagged = (s: Sel) => f32(s.j.btag) > 0.5;
  const nb = selected.filter(tagged).length;
  if (selected.length < 4 || nb === 0) return { region: -1, obs: NaN, selected };
  if (nb === 1) return { region: 0, obs: selected.reduce((h, s) => r(h + s.pt), 0), selected };
  const v = selected.map((s) => {
    const px = r(s.pt * r(Math.cos(f32(s.j.phi)))),
      py = r(s.pt * r(Math.sin(f32(s.j.phi)))),
      pz = r(s.pt * r(Math.sinh(f32(s.j.eta))));
    const m = f32(s.j.mass);
    return { px, py, pz, E: r(Math.sqrt(r(r(r(r(px * px) + r(py * py)) + r(pz * pz)) + r(m * m)))) };
  });
  let bestPt = -Infinity,
    bestMass = NaN;
  for (let a = 0; a < v.length; a++)
    for (let b = a + 1; b < v.length; b++)
      for (let c = b + 1; c < v.length; c++) {
        if (![a, b, c].some((k) => tagged(selected[k]!))) continue;
        const s = (k: "px" | "py" | "pz" | "E") => r(r(v[a]![k] + v[b]![k]) + v[c]![k]);
        const x = s("px"),
          y = s("py"),
          z = s("pz"),
          t = s("E");
        const pt = r(Math.sqrt(r(r(x * x) + r(y * y))));
        if (pt > bestPt) {
          bestPt = pt;
          const m2 = r(r(r(r(t * t) - r(x * x)) - r(y * y)) - r(z * z));
          bestMass = Math.sign(m2) * r(Math.sqrt(Math.abs(m2)));
        }
      }
  return { region: 1, obs: bestMass, selected };
}

/** Storage index by scanning the 26 edges ([low, high) bins, flow at 0 and 26). */
export function refBin(v: number): number {
  if (!(v >= 50)) return v < 50 ? 0 : 26;
  for (let k = 1; k <= 25; k++) if (v < 50 + 20 * k) return k;
  return 26;
}

export type RefHists = Record<string, number[]>;

/** Expected histograms (sum of weights, 27 bins) keyed like histograms.json, without pseudo-data. */
export function referenceHistograms(events: Ev[], process: string, variation: string, nevts: number, smear?: (entry: number, jet: number) => number): RefHists {
  const w = (XSEC[process]! * 3378) / nevts;
  const out: RefHists = {};
  const add = (region: number, v: string, obs: number, weight: number) => {
    const name = `${region === 0 ? "4j1b" : "4j2b"}_${process}${v === "nominal" ? "" : `_${v}`}`;
    (out[name] ??= new Array(27).fill(0))[refBin(obs)]! += weight;
  };
  events.forEach((e, entry) => {
    const nominalPts = e.jets.map((j) => f32(j.pt));
    const nom = classify(e, nominalPts, true);
    if (nom.region >= 0) {
      add(nom.region, variation, nom.obs, w);
      if (variation === "nominal") {
        for (let i = 0; i < 4; i++) {
          const pt = nom.selected[i]!.pt;
          add(nom.region, `btag_var_${i}_up`, nom.obs, w * (1 + (pt * 0.075) / 50));
          add(nom.region, `btag_var_${i}_down`, nom.obs, w * (1 - (pt * 0.075) / 50));
        }
        if (process === "wjets") {
          add(nom.region, "scale_var_up", nom.obs, w * 1.025);
          add(nom.region, "scale_var_down", nom.obs, w * 0.975);
        }
      }
    }
    if (variation !== "nominal") return;
    const up = classify(
      e,
      nominalPts.map((p) => f32(p * f32(1.03))),
      true,
    );
    if (up.region >= 0) add(up.region, "pt_scale_up", up.obs, w);
    if (smear) {
      const res = classify(
        e,
        nominalPts.map((p, k) => p * (1 + 0.05 * smear(entry, k))),
        false,
      );
      if (res.region >= 0) add(res.region, "pt_res_up", res.obs, w);
    }
  });
  // like §6.1: only cells with a positive in-range sum are written
  for (const [k, c] of Object.entries(out)) if (!(c.slice(1, 26).reduce((a, b) => a + b, 0) > 0)) delete out[k];
  return out;
}
