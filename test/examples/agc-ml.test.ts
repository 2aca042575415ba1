// The AGC ML variant (spec §7, §6.2) switched on with the processor parameter `ml`: the parity rule
// and best-permutation choice against XGBoost's own scores (../shared/reference/ml), the 20
// features of the chosen permutation against an independent float64 computation, and the
// histograms_ml.root layout.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { fromAccumulator } from "../../src/hist/index.js";
import type { EdgeAxis, HistAccumulator } from "../../src/hist/index.js";
import { openFile } from "../../src/root/index.js";
import { parseXGBoost } from "../../src/ml/index.js";
import { chunkOf, goodMuon, jet } from "./agc-events.js";
import type { Ev } from "./agc-events.js";
import { REFERENCE } from "../shared.js";
// @ts-expect-error plain ESM example module
import * as agc from "../../examples/agc-ttbar/index.mjs";
// @ts-expect-error plain ESM example module
import { FEATURES, PERMUTATIONS, bestFeatures, writeMlOutputs } from "../../examples/agc-ttbar/ml.mjs";

const AGC = path.join(REFERENCE, "agc");
const ref = JSON.parse(readFileSync(path.join(REFERENCE, "ml", "agc_bdt_reference.json"), "utf8")) as {
  inputs: number[][];
  outputs: Record<"model_even" | "model_odd", { prob: number[] }>;
};
const model = (n: string) => parseXGBoost(JSON.parse(readFileSync(path.join(AGC, `${n}.json`), "utf8")), n);
const MODELS = [model("model_even"), model("model_odd")];
type Feat = { name: string; lo: number; hi: number };

describe("AGC ML: parity rule and best permutation against XGBoost's scores", () => {
  it("odd events use model_even, even ones model_odd; the highest XGBoost probability wins", () => {
    // 170 events of 12 reference rows each (rows 0..2039); event numbers alternate, one above 2^53
    const nEv = 170,
      per = 12;
    const x = Float32Array.from(ref.inputs.slice(0, nEv * per).flat());
    const perEvent = Int32Array.from({ length: nEv + 1 }, (_, e) => e * per);
    const events = Array.from({ length: nEv }, (_, e) => (e === 7 ? 2n ** 60n + 1n : BigInt(1000 + e)));
    const best = bestFeatures(x, perEvent, events, MODELS) as Float32Array[];
    for (let e = 0; e < nEv; e++) {
      const odd = events[e]! % 2n === 1n;
      const probs = ref.outputs[odd ? "model_even" : "model_odd"].prob.slice(e * per, e * per + per);
      const want = probs.indexOf(Math.max(...probs)); // XGBoost 1.7.4's probabilities
      expect(
        best.map((f) => f[e]),
        `event ${e}`,
      ).toEqual(ref.inputs[e * per + want]);
    }
  });
});

// float64 four-vectors, independent of ml.mjs's float32 code
const p4 = (pt: number, eta: number, phi: number, m: number) => {
  const px = pt * Math.cos(phi),
    py = pt * Math.sin(phi),
    pz = pt * Math.sinh(eta);
  return [px, py, pz, Math.sqrt(px * px + py * py + pz * pz + m * m)];
};
const sum = (...v: number[][]) => [0, 1, 2, 3].map((k) => v.reduce((a, b) => a + b[k]!, 0));
const mass = (v: number[]) => Math.sqrt(Math.max(0, v[3]! ** 2 - v[0]! ** 2 - v[1]! ** 2 - v[2]! ** 2));
const dR = (a: { eta: number; phi: number }, b: { eta: number; phi: number }) => Math.hypot(a.eta - b.eta, a.phi - b.phi); // raw Δφ (§7.3)

/** The 20 features of one assignment (W1, W2, b_tophad, b_toplep), spec §7.3, in float64. */
function features(jets: Required<ReturnType<typeof jet>>[], lep: { pt: number; eta: number; phi: number; mass: number }, [a, b, c, d]: number[]) {
  const J = [a, b, c, d].map((i) => jets[i!]!);
  const v = J.map((j) => p4(j.pt, j.eta, j.phi, j.mass)),
    l = p4(lep.pt, lep.eta, lep.phi, lep.mass);
  const top = sum(v[0]!, v[1]!, v[2]!);
  return [dR(lep, J[3]!), dR(J[0]!, J[1]!), dR(J[0]!, J[2]!), dR(J[1]!, J[2]!), mass(sum(l, v[3]!)), mass(sum(v[0]!, v[1]!)), mass(top), Math.hypot(top[0]!, top[1]!), ...J.map((j) => j.pt), ...J.map((j) => j.btag), ...J.map((j) => j.qgl)];
}

describe("AGC ML in the processor (-P ml=true)", () => {
  const w = (729.84 * 3378) / 1000;
  const mu = { ...goodMuon, phi: -1.2, mass: 0.1057 };
  // 4j2b events with 4, 5 and 6 jets (12, 60, 180 permutations), even and odd event numbers
  const mk = (n: number, event: number, k: number): Ev => ({
    event,
    muons: [mu],
    jets: Array.from({ length: n }, (_, i) => jet(35 + 17 * ((i * 7 + k) % n) + i, i < 2 ? 0.9 : 0.2 + 0.05 * i, { eta: -1.5 + 0.6 * i + 0.1 * k, phi: -2.8 + 1.1 * i + 0.2 * k, mass: 5 + i, qgl: 0.1 + 0.13 * i })),
  });
  const events = [mk(4, 10, 0), mk(5, 11, 1), mk(6, 12, 2), mk(6, 13, 3), mk(5, 14, 4)];

  it("fills each 4j2b event's BDT-chosen assignment into the 20 feature histograms (§7.6 ranges, 25 bins)", async () => {
    const chunk = await chunkOf(events, agc.columns);
    const r = (await agc.process(chunk, {
      sample: "ttbar__nominal",
      process: "ttbar",
      variation: "nominal",
      nevts: 1000,
      treeName: "Events",
      file: "hand-made",
      fileIndex: 0,
      entryStart: 0,
      entryStop: events.length,
      params: { ml: true },
    })) as { ml: Record<string, HistAccumulator> };
    expect(Object.keys(r.ml)).toEqual((FEATURES as Feat[]).map((f) => f.name));
    // the independent choice: float64 features (rounded to float32, the models' input) scored by the evaluator
    const expected = events.map((ev) => {
      const jets = ev.jets as Required<ReturnType<typeof jet>>[];
      const perms = PERMUTATIONS[jets.length - 4] as Int8Array;
      const rows: number[][] = [];
      for (let p = 0; p < perms.length; p += 4) rows.push(features(jets, { pt: mu.pt, eta: mu.eta, phi: mu.phi, mass: mu.mass }, Array.from(perms.subarray(p, p + 4))));
      const scores = bestFeatures(Float32Array.from(rows.flat()), Int32Array.of(0, rows.length), [BigInt(ev.event!)], MODELS) as Float32Array[];
      return scores.map((f) => f[0]!);
    });
    (FEATURES as Feat[]).forEach(({ name, lo, hi }, k) => {
      const h = fromAccumulator(r.ml[name]!);
      const edges = (h.axes[0] as EdgeAxis).edges;
      expect(edges[0]).toBe(lo);
      expect(edges[25]).toBe(hi);
      const got = Array.from(h.pick({ process: "ttbar", variation: "nominal" }).values({ flow: true }));
      const want = new Array(27).fill(0);
      for (const f of expected) {
        const bin = f[k]! < lo ? 0 : f[k]! >= hi ? 26 : 1 + Math.floor(((f[k]! - lo) / (hi - lo)) * 25);
        want[bin] += w;
      }
      expect(got, name).toEqual(want);
    });
  });

  it("the chosen features agree with the float64 computation to float32 precision", async () => {
    // rows of one 4-jet event: ml.mjs (float32) vs float64, |Δ| ≤ 1e-5 relative (a few float32 roundings)
    const ev = events[0]!;
    const { permutationFeatures } = await import("../../examples/agc-ttbar/ml.mjs" as string);
    const j = ev.jets;
    const col = (k: keyof (typeof j)[0]) => Float32Array.from(j.map((x) => Number(x[k] ?? 0.5)));
    const { x } = permutationFeatures({ pt: col("pt"), eta: col("eta"), phi: col("phi"), mass: col("mass"), btag: col("btag"), qgl: col("qgl") }, Int32Array.of(0, 4), { pt: [mu.pt], eta: [mu.eta], phi: [mu.phi], mass: [mu.mass] });
    const perms = PERMUTATIONS[0] as Int8Array;
    for (let p = 0; p < 12; p++) {
      const f64 = features(
        j.map((x) => ({ ...x, pt: Math.fround(x.pt), eta: Math.fround(x.eta), phi: Math.fround(x.phi), mass: Math.fround(x.mass), btag: Math.fround(x.btag), qgl: Math.fround(x.qgl ?? 0.5) })) as Required<ReturnType<typeof jet>>[],
        { pt: mu.pt, eta: Math.fround(mu.eta), phi: Math.fround(mu.phi), mass: Math.fround(mu.mass) },
        Array.from(perms.subarray(4 * p, 4 * p + 4)),
      );
      f64.forEach((v, k) => expect(Math.abs((x as Float32Array)[p * 20 + k]! - v), `perm ${p} feature ${k}`).toBeLessThanOrEqual(1e-5 * Math.abs(v) + 1e-6));
    }
  });

  it("writes histograms_ml.root in the §6.2 layout: <feature>_<process>[_<variation>], 1e-6 offset, pseudo-data", async () => {
    const chunk = async (variation: string) =>
      (await agc.process(await chunkOf(events, agc.columns), {
        sample: `ttbar__${variation}`,
        process: "ttbar",
        variation,
        nevts: 1000,
        treeName: "Events",
        file: "hand-made",
        fileIndex: 0,
        entryStart: 0,
        entryStop: events.length,
        params: { ml: true },
      })) as { ml: Record<string, HistAccumulator> };
    const { mergeAccumulators } = await import("../../src/analysis/index.js");
    const wj = (await agc.process(await chunkOf(events, agc.columns), {
      sample: "wjets__nominal",
      process: "wjets",
      variation: "nominal",
      nevts: 1000,
      treeName: "Events",
      file: "hand-made",
      fileIndex: 0,
      entryStart: 0,
      entryStop: events.length,
      params: { ml: true },
    })) as { ml: Record<string, HistAccumulator> };
    const merged = [await chunk("ME_var"), await chunk("PS_var"), wj].reduce((a, b) => mergeAccumulators(a as never, b as never) as never, await chunk("nominal")) as unknown as { ml: Record<string, HistAccumulator> };
    const out = mkdtempSync(path.join(tmpdir(), "hepflow-agc-ml-"));
    await writeMlOutputs(merged.ml, out, () => undefined);
    const f = await openFile(path.join(out, "histograms_ml.root"));
    const names = (await f.keys()).map((k) => k.path);
    expect(names).toContain("mass_w1w2_ttbar");
    expect(names).toContain("mass_w1w2_ttbar_pt_scale_up");
    expect(names).toContain("deltar_leptonbtoplep_wjets_scale_var_up");
    expect(names).toContain("mass_w1w2_pseudodata");
    expect(names.every((n) => (FEATURES as Feat[]).some((ft) => n.startsWith(ft.name + "_")))).toBe(true);
    const h = (await f.get("mass_w1w2_ttbar")) as { contents: Float64Array };
    const inRange = Array.from(h.contents).slice(1, 26);
    expect(Math.min(...inRange)).toBeGreaterThanOrEqual(1e-6); // every in-range bin got the offset
    await f.close();
  });
});
