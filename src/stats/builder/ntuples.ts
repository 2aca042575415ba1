/**
 * cabinetry's ntuple templates (`templates.build` from ntuples): per region, sample and variation, the
 * histogram of `Variable` over the events passing `Filter`, weighted by `Weight`, in the region's
 * `Binning` (events outside the edges are dropped, as cabinetry's yields hold no flow bins). The
 * strings use hepflow's expression language (TTreeFormula spellings; `&&` as well as `&`).
 * Overrides from a systematic's Up/Down block replace the nominal's Tree, Weight, Variable, Filter.
 */
import { HepflowError } from "../../util/index.js";
import { openFile } from "../../root/index.js";
import { compile } from "../../expr/index.js";
import type { Template } from "./histograms.js";

export interface NtupleRequest {
  file: string;
  tree: string;
  variable: string;
  filter?: string;
  weight?: string;
  binning: readonly number[];
  /** For error messages: which region/sample/variation this template is. */
  where: string;
}

/** Fills one template by streaming the tree (only the branches the three expressions name). */
export async function ntupleTemplate(req: NtupleRequest): Promise<Template> {
  const edges = Float64Array.from(req.binning);
  const nb = edges.length - 1;
  const yields = new Float64Array(nb),
    variances = new Float64Array(nb);
  const f = await openFile(req.file);
  try {
    const tree = await f.tree(req.tree);
    const variable = compile(req.variable, tree.branches);
    const filter = req.filter ? compile(req.filter, tree.branches) : undefined;
    const weight = req.weight ? compile(req.weight, tree.branches) : undefined;
    const names = [...new Set([...variable.branches, ...(filter?.branches ?? []), ...(weight?.branches ?? [])])];
    for await (const chunk of tree.iterate(names, { stepSize: 200_000 })) {
      const n = chunk.entryStop - chunk.entryStart;
      const ctx = { entryStart: chunk.entryStart, entries: n, totalEntries: tree.numEntries };
      const perEvent = (e: ReturnType<typeof variable.evaluate>, what: string) => {
        if (e.shape === "jagged") throw new HepflowError("CONFIG_INVALID", `${req.where}: ${what} gives one value per collection element; cabinetry's expressions are per event`, { file: req.file, object: what });
        return (i: number) => (e.shape === "scalar" ? e.value : e.valid && !e.valid[i] ? NaN : Number(e.data[i]));
      };
      const x = perEvent(variable.evaluate(chunk.columns, ctx), `Variable "${req.variable}"`);
      const pass = filter ? perEvent(filter.evaluate(chunk.columns, ctx), `Filter "${req.filter}"`) : () => 1;
      const w = weight ? perEvent(weight.evaluate(chunk.columns, ctx), `Weight "${req.weight}"`) : () => 1;
      for (let i = 0; i < n; i++) {
        const p = pass(i);
        if (!p || Number.isNaN(p)) continue;
        const v = x(i);
        if (!(v >= edges[0]!) || !(v < edges[nb]!)) continue;
        let lo = 0,
          hi = nb;
        while (hi - lo > 1) {
          const m = (lo + hi) >> 1;
          if (v >= edges[m]!) lo = m;
          else hi = m;
        }
        const wi = w(i);
        yields[lo]! += wi;
        variances[lo]! += wi * wi;
      }
    }
  } finally {
    await f.close();
  }
  return { edges, yields, variances };
}
