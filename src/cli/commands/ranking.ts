/** `hepflow ranking WORKSPACE`: impacts of the nuisance parameters on the POI, largest first (plus pulls). */
import { printJson } from "../json.js";
import path from "node:path";
import type { Command } from "commander";
import { fit, pulls, ranking } from "../../stats/index.js";
import { addModelOptions, failUnconverged, loadModel, table, warnUnconverged } from "./stats-options.js";
import type { Model, Workspace } from "../../stats/index.js";
import type { ModelCliOptions } from "./stats-options.js";

export function register(program: Command): void {
  addModelOptions(program.command("ranking <workspace>").description("parameter ranking: pre-/post-fit ±1σ impacts on the POI, and the pulls"))
    .option("--top <n>", "show only the n largest impacts in the table")
    .option("--plots <dir>", "also draw ranking.png and pulls.png into this directory")
    .action(async (file: string, o: ModelCliOptions & { top?: string; plots?: string }) => {
      const { ws, model, data, fitOptions } = await loadModel(file, o);
      const free = fit(data, model, fitOptions);
      if (!free.converged) {
        // No ranking from a failed fit; the record still says so before the command fails.
        if (o.json) printJson({ poi: model.config.poiName, poi_bestfit: null, poi_uncertainty: null, impacts: [], pulls: [], converged: false, message: free.message });
        failUnconverged("the free fit did not converge, so there is no ranking", free.message, { ws, model, pars: free.bestfit });
      }
      const r = ranking(model, data, { fitOptions, result: free });
      const converged = r.impacts.every((x) => x.converged);
      const finite = Number.isFinite(r.poiBestfit) && Number.isFinite(r.poiUncertainty) && r.impacts.every((x) => [x.prefitUp, x.prefitDown, x.postfitUp, x.postfitDown].every((v) => v === null || v === undefined || Number.isFinite(v)));
      if (!converged) warnUnconverged("some of the ranking refits");
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
          converged,
        };
        printJson(out);
        failRanking(converged, finite, ws, model);
        return;
      }
      const top = o.top ? Number(o.top) : r.impacts.length;
      const rows = r.impacts.slice(0, top).map((x) => [x.name, x.bestfit, x.uncertainty, x.prefitUp, x.prefitDown, x.postfitUp, x.postfitDown]);
      process.stdout.write(`${r.poi} = ${r.poiBestfit} ± ${r.poiUncertainty}\n\n`);
      process.stdout.write(table(["parameter", "best fit", "uncertainty", "Δμ pre +1σ", "Δμ pre −1σ", "Δμ post +1σ", "Δμ post −1σ"], rows) + "\n\n");
      process.stdout.write(table(["parameter", "pull", "constraint"], p.map((x) => [x.name, x.pull ?? NaN, x.constraint ?? NaN])) + "\n");
      failRanking(converged, finite, ws, model);
    });
}

/** After the ranking is written: unconverged refits or non-finite impacts make the command fail (issue 13 item 7). */
function failRanking(converged: boolean, finite: boolean, ws: Workspace, model: Model): void {
  if (!converged || !finite) failUnconverged(finite ? "some refits of the ranking did not converge" : "the ranking gave non-finite impacts", undefined, { ws, model });
}
