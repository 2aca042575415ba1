// Outputs of the AGC run (spec §6): histograms.root (TH1D), histograms.json (reference JSON
// format of §9.1), cutflow.json, and the printed cutflow table.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fromAccumulator, toRoot } from "hepflow/hist";
import { createFile } from "hepflow/root";
import { PROCESSES, REGIONS, VARIATIONS } from "./histograms.mjs";

export const CUT_STEPS = [
  ["all", "all events"],
  ["oneLepton", "exactly 1 lepton"],
  ["fourJets", ">= 4 jets"],
  ["oneBtag", ">= 1 b-tag"],
  ["r4j1b", "4j1b (== 1 b-tag)"],
  ["r4j2b", "4j2b (>= 2 b-tags)"],
];

const inRange = (h) => h.sum({ flow: false });

/** The named 1-D histograms of §6.1 (empty cells dropped) plus pseudo-data, as Hists in name order. */
export function namedHistograms(accs) {
  const out = new Map();
  for (const R of REGIONS) {
    if (!accs?.[R]) continue;
    const h = fromAccumulator(accs[R]);
    const cells = {};
    for (const P of PROCESSES)
      for (const V of VARIATIONS) {
        const c = h.pick({ process: P, variation: V });
        cells[`${P}/${V}`] = c;
        if (inRange(c) > 0) out.set(V === "nominal" ? `${R}_${P}` : `${R}_${P}_${V}`, c);
      }
    // pseudo-data = (ttbar ME_var + ttbar PS_var) / 2 + wjets nominal, flow bins included
    const me = cells["ttbar/ME_var"],
      ps = cells["ttbar/PS_var"],
      wj = cells["wjets/nominal"];
    if (inRange(me) > 0 && inRange(ps) > 0 && inRange(wj) > 0) out.set(`${R}_pseudodata`, me.copy().add(ps).scale(0.5).add(wj));
  }
  return new Map([...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The histograms.json object: {name: {edges, contents (bins + 2, with flow)}}. */
export function histogramsJson(named) {
  const o = {};
  for (const [name, h] of named) o[name] = { edges: Array.from(h.axes[0].edges), contents: Array.from(h.values({ flow: true })) };
  return o;
}

/** Cutflow table as text, one column per sample. */
export function cutflowTable(cutflow) {
  const samples = Object.keys(cutflow ?? {});
  const head = ["step", ...samples];
  const rows = CUT_STEPS.map(([k, label]) => [label, ...samples.map((s) => String(cutflow[s][k]))]);
  const widths = head.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  const fmt = (r) => r.map((v, j) => (j === 0 ? v.padEnd(widths[j]) : v.padStart(widths[j]))).join("  ");
  return [fmt(head), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(fmt)].join("\n");
}

/** Write histograms.root, histograms.json and cutflow.json into ctx.outDir and print the cutflow. */
export async function writeOutputs(acc, ctx) {
  mkdirSync(ctx.outDir, { recursive: true });
  const named = namedHistograms(acc?.hists);
  writeFileSync(join(ctx.outDir, "histograms.json"), JSON.stringify(histogramsJson(named), null, 1) + "\n");
  const cutflow = {};
  for (const [s, c] of Object.entries(acc?.cutflow ?? {})) cutflow[s] = Object.fromEntries(CUT_STEPS.map(([k]) => [k, c[k]]));
  writeFileSync(join(ctx.outDir, "cutflow.json"), JSON.stringify(cutflow, null, 2) + "\n");
  const f = await createFile(join(ctx.outDir, "histograms.root"));
  for (const [name, h] of named) f.putHistogram(name, toRoot(h, name, { title: name }));
  await f.close();
  ctx.print(`${cutflowTable(cutflow)}\n\n${named.size} histograms written to ${ctx.outDir}\n`);
}
