/**
 * Independent re-implementation of the AGC observables used to check generated samples
 * (spec §3–4): object selection, regions, H_T and m_bjj, plus a W-candidate dijet mass.
 */
import type { Jagged, Columns, NumericArray } from "../../src/util/index.js";

export interface Observables {
  events: number;
  oneLepton: number;
  region1b: number;
  region2b: number;
  ht1b: number[];
  mbjj: number[];
  mjjW: number[];
  meanJets30: number;
}

function p4(pt: number, eta: number, phi: number, m: number): [number, number, number, number] {
  const px = pt * Math.cos(phi),
    py = pt * Math.sin(phi),
    pz = pt * Math.sinh(eta);
  return [px, py, pz, Math.sqrt(px * px + py * py + pz * pz + m * m)];
}

function mass(v: number[]): number {
  return Math.sqrt(Math.max(0, v[3]! * v[3]! - v[0]! * v[0]! - v[1]! * v[1]! - v[2]! * v[2]!));
}

/** Applies the AGC selection to `c` and returns the observables. */
export function agcObservables(c: Columns): Observables {
  const jpt = c.Jet_pt as Jagged<NumericArray>,
    jeta = (c.Jet_eta as Jagged<NumericArray>).content,
    jphi = (c.Jet_phi as Jagged<NumericArray>).content;
  const jm = (c.Jet_mass as Jagged<NumericArray>).content,
    jb = (c.Jet_btagCSVV2 as Jagged<NumericArray>).content,
    jid = (c.Jet_jetId as Jagged<NumericArray>).content;
  const ept = c.Electron_pt as Jagged<NumericArray>,
    eeta = (c.Electron_eta as Jagged<NumericArray>).content,
    ecut = (c.Electron_cutBased as Jagged<NumericArray>).content,
    esip = (c.Electron_sip3d as Jagged<NumericArray>).content;
  const mpt = c.Muon_pt as Jagged<NumericArray>,
    meta = (c.Muon_eta as Jagged<NumericArray>).content,
    mt = (c.Muon_tightId as Jagged<NumericArray>).content,
    msip = (c.Muon_sip3d as Jagged<NumericArray>).content,
    miso = (c.Muon_pfRelIso04_all as Jagged<NumericArray>).content;
  const out: Observables = { events: jpt.length, oneLepton: 0, region1b: 0, region2b: 0, ht1b: [], mbjj: [], mjjW: [], meanJets30: 0 };
  let jets30 = 0;
  for (let e = 0; e < jpt.length; e++) {
    let nl = 0;
    for (let k = ept.offsets[e]!; k < ept.offsets[e + 1]!; k++) if ((ept.content[k] as number) > 30 && Math.abs(eeta[k] as number) < 2.1 && ecut[k] === 4 && (esip[k] as number) < 4) nl++;
    for (let k = mpt.offsets[e]!; k < mpt.offsets[e + 1]!; k++) if ((mpt.content[k] as number) > 30 && Math.abs(meta[k] as number) < 2.1 && mt[k] && (msip[k] as number) < 4 && (miso[k] as number) < 0.15) nl++;
    const sel: number[] = [];
    for (let k = jpt.offsets[e]!; k < jpt.offsets[e + 1]!; k++) {
      if ((jpt.content[k] as number) > 30) jets30++;
      if ((jpt.content[k] as number) > 30 && Math.abs(jeta[k] as number) < 2.4 && ((jid[k] as number) & 4) !== 0) sel.push(k);
    }
    if (nl !== 1) continue;
    out.oneLepton++;
    if (sel.length < 4) continue;
    const nb = sel.filter((k) => (jb[k] as number) > 0.5).length;
    if (nb === 1) {
      out.region1b++;
      out.ht1b.push(sel.reduce((s, k) => s + (jpt.content[k] as number), 0));
    } else if (nb >= 2) {
      out.region2b++;
      const v = sel.map((k) => p4(jpt.content[k] as number, jeta[k] as number, jphi[k] as number, jm[k] as number));
      let best = -1,
        bestM = 0;
      for (let i = 0; i < sel.length; i++)
        for (let j = i + 1; j < sel.length; j++)
          for (let l = j + 1; l < sel.length; l++) {
            if (Math.max(jb[sel[i]!] as number, jb[sel[j]!] as number, jb[sel[l]!] as number) <= 0.5) continue;
            const s = [0, 1, 2, 3].map((q) => v[i]![q]! + v[j]![q]! + v[l]![q]!);
            const pt = Math.hypot(s[0]!, s[1]!);
            if (pt > best) {
              best = pt;
              bestM = mass(s);
            }
          }
      out.mbjj.push(bestM);
      if (sel.length === 4 && nb === 2) {
        const light = sel
          .map((k, i) => [k, i] as const)
          .filter(([k]) => (jb[k] as number) <= 0.5)
          .map(([, i]) => v[i]!);
        out.mjjW.push(mass([0, 1, 2, 3].map((q) => light[0]![q]! + light[1]![q]!)));
      }
    }
  }
  out.meanJets30 = jets30 / jpt.length;
  return out;
}

/** The most populated value of `xs` in bins of `width` between lo and hi, smoothed over 5 bins. */
export function peak(xs: number[], lo: number, hi: number, width: number): number {
  const n = Math.round((hi - lo) / width);
  const h = new Float64Array(n);
  for (const x of xs) {
    const b = Math.floor((x - lo) / width);
    if (b >= 0 && b < n) h[b]!++;
  }
  let best = 0,
    at = 0;
  for (let i = 2; i < n - 2; i++) {
    const s = h[i - 2]! + h[i - 1]! + h[i]! + h[i + 1]! + h[i + 2]!;
    if (s > best) {
      best = s;
      at = i;
    }
  }
  return lo + (at + 0.5) * width;
}
