// Rendering cost of the main plot (stack + ratio, 5 processes × 25 bins, AGC histograms): spec, SVG, PNG at scale 2.
import { readFileSync } from "node:fs";
import { stackPlot, renderSVG, svgToPNG, hist1dFromAgc } from "../dist/plot/index.js";

const doc = JSON.parse(readFileSync(new URL("../../shared/reference/agc/histos_1_file_per_process.json", import.meta.url), "utf8"));
const mc = ["wjets", "single_top_s_chan", "single_top_t_chan", "single_top_tW", "ttbar"].map((s) => hist1dFromAgc(doc[`4j2b_${s}`], s));
const data = hist1dFromAgc(doc["4j2b_pseudodata"], "data");
const reps = 10;

async function time(name, fn) {
  await fn(); // warm-up: module JIT and font loading
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) await fn();
  const ms = (performance.now() - t0) / reps;
  console.log(JSON.stringify({ case: name, impl: "hepflow", ms_per_plot: +ms.toFixed(2), plots_per_s: +(1000 / ms).toFixed(1) }));
}

const spec = stackPlot({ mc, data }, { luminosity: 3.4 });
const svg = await renderSVG(spec);
await time("stack spec", () => stackPlot({ mc, data }, { luminosity: 3.4 }));
await time("stack svg", () => renderSVG(spec));
await time("stack png x2", () => svgToPNG(svg, { scale: 2 }));
