// Histogram m_ee from the delivered files and draw it: node examples/zee/plot.mjs OUT.png FILE...
import { openFile } from "hepflow/root";
import { Hist, Regular } from "hepflow/hist";
import { stackPlot, hist1dFromHist, writePlot } from "hepflow/plot";

const [out, ...files] = process.argv.slice(2);
if (!out || !files.length) {
  console.error("usage: plot.mjs OUT.png FILE...");
  process.exit(2);
}
const h = new Hist([Regular(60, 60, 120, { name: "m_ee" })]);
let events = 0;
for (const f of files) {
  const file = await openFile(f);
  const tree = await file.tree("servicex");
  for await (const chunk of tree.iterate(["m_ee"], { stepSize: 500_000 })) {
    h.fill({ m_ee: chunk.columns.m_ee });
    events += chunk.entryStop - chunk.entryStart;
  }
  await file.close();
}
const hist = hist1dFromHist(h, "Z/γ* → ee (generated)");
await writePlot(stackPlot({ mc: [hist] }, { xTitle: "m_ee [GeV]", yTitle: "Events / 1 GeV", status: "Simulation (generated)" }), out);
let peak = 0;
for (let i = 1; i < hist.values.length; i++) if (hist.values[i] > hist.values[peak]) peak = i;
console.log(JSON.stringify({ plot: out, events, peak_bin: [hist.edges[peak], hist.edges[peak + 1]] }));
