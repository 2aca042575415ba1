/** `hepflow ranking WORKSPACE`: impacts of the nuisance parameters on the POI, largest first (plus pulls). */
import { printJson } from "../json.js";
import path from "node:path";
import type { Command } from "commander";
import { fit, pulls, ranking } from "../../stats/index.js";
import { addModelOptions, loadModel, table, warnUnconverged } from "./stats-options.js";
import type { ModelCliOptions } from "./stats-options.js";

export function register(program: Command): void {
  addModelOptions(program.command("ranking <workspace>").description("parameter ranking: pre-/post-fit ±1σ impacts on the POI, and the pulls"))
    .option("--top <n>", "show only the n largest impacts in the table")
    .option("--plots <dir>", "also draw ranking.png and pulls.png into this directory")
    .action(async (file: string, o: ModelCliOptions & { top?: string; plots?: string }) => {
      const { model, data, fitOptions } = await loadModel(file, o);
      const free = fit(data, model, fitOptions);
      const r = ranking(model, data, { fitOptions, result: free });
      if (r.impacts.some((x) => !x.converged)) warnUnconverged("some of the ranking refits");
      const p = pulls(model, free);
      if (o.plots) {
        const { pullsInputFromStats, pullsPlot, rankingFromImpacts, rankingPlot, writePlot } = await import("../../plot/index.js");
        await writePlot(rankingPlot(rankingFromImpacts(r.impacts, p), { poiName: r.poi }), path.join(o.plots, "ranking.png"));
        const { fit: fitInput, priors } = pullsInputFromStats(p);
        await writePlot(pullsPlot(fitInput, { priors }), path.join(o.plots, "pulls.png"));
      }
      if (o.json) {
        const out = {
          poi: r.poi,
          poi_bestfit: r.poiBestfit,
          poi_uncertainty: r.poiUncertainty,
          impacts: r.impacts.map((x) => ({ name: x.name, bestfit: x.bestfit, uncertainty: x.uncertainty, prefit_up: x.prefitUp, prefit_down: x.prefitDown, postfit_up: x.postfitUp, postfit_down: x.postfitDown, converged: x.converged })),
          pulls: p.map((x) => ({ name: x.name, pull: x.pull, constraint: x.constraint, bestfit: x.bestfit, uncertainty: x.uncertainty })),
        };
        printJson(out);
        return;
      }
      const top = o.top ? Number(o.top) : r.impacts.length;
      const rows = r.impacts.slice(0, top).map((x) => [x.name, x.bestfit, x.uncertainty, x.prefitUp, x.prefitDown, x.postfitUp, x.postfitDown]);
      process.stdout.write(`${r.poi} = ${r.poiBestfit} ± ${r.poiUncertainty}\n\n`);
      process.stdout.write(table(["parameter", "best fit", "uncertainty", "Δμ pre +1σ", "Δμ pre −1σ", "Δμ post +1σ", "Δμ post −1σ"], rows) + "\n\n");
      process.stdout.write(table(["parameter", "pull", "constraint"], p.map((x) => [x.name, x.pull ?? NaN, x.constraint ?? NaN])) + "\n");
    });
}
