/** `hepflow ranking WORKSPACE`: impacts of the nuisance parameters on the POI, largest first (plus pulls). */
import { printJson } from "../json.js";
import path from "node:path";
import type { Command } from "commander";
import { fit, pulls, ranking } from "../../stats/index.js";
import { addModelOptions, failUnconverged, loadModel, numberOption, table, valueWithUncertainty, warnUnconverged } from "./stats-options.js";
import type { Model, Workspace } from "../../stats/index.js";
import type { ModelCliOptions } from "./stats-options.js";
import { addLabelOptions, labelStyle, type LabelCliOptions } from "./label-options.js";

const finiteOrNull = (v: number) => (Number.isFinite(v) ? v : null);

export function register(program: Command): void {
  addLabelOptions(addModelOptions(program.command("ranking <workspace>").description("parameter ranking: pre-/post-fit ±1σ impacts on the POI, and the pulls")))
    .option("--top <n>", "show only the n largest impacts: in the tables (impacts and pulls), the JSON and the plots")
    .option("--allow-unconverged", "exit 0 even when some refits did not converge (their impacts are recorded with converged: false and a warning)")
    .option("--plots <dir>", "also draw ranking.png and pulls.png into this directory")
    .action(async (file: string, o: ModelCliOptions & LabelCliOptions & { top?: string; plots?: string; allowUnconverged?: boolean }) => {
      const { ws, model, data, fitOptions } = await loadModel(file, o);
      const label = o.plots ? await labelStyle(o) : {}; // a bad label option fails before the fit
      const free = fit(data, model, fitOptions);
      if (!free.converged) {
        // No ranking from a failed fit; the record still says so before the command fails.
        if (o.json) printJson({ poi: model.config.poiName, poi_bestfit: null, poi_uncertainty: null, impacts: [], pulls: [], converged: false, message: free.message });
        failUnconverged("the free fit did not converge, so there is no ranking", free.message, { ws, model, pars: free.bestfit });
      }
      const r = ranking(model, data, { fitOptions, result: free });
      const converged = r.impacts.every((x) => x.converged);
      const failedRefits = r.impacts.filter((x) => !x.converged).map((x) => x.name);
      const finite =
        Number.isFinite(r.poiBestfit) && Number.isFinite(r.poiUncertainty) && r.impacts.every((x) => (x.constrained ? [x.prefitUp, x.prefitDown, x.postfitUp, x.postfitDown] : [x.postfitUp, x.postfitDown]).every(Number.isFinite)); // unconstrained: no pre-fit impact
      if (!converged) warnUnconverged("some of the ranking refits");
      const top = o.top === undefined ? r.impacts.length : Math.max(1, Math.floor(numberOption("--top", o.top, r.impacts.length)));
      r.impacts = r.impacts.slice(0, top);
      // the pulls of the top-N ranked parameters, in ranking order
      const ranked = new Map(r.impacts.map((x, i) => [x.name, i]));
      const p = pulls(model, free)
        .filter((x) => o.top === undefined || ranked.has(x.name))
        .sort((a, b) => (ranked.get(a.name) ?? Infinity) - (ranked.get(b.name) ?? Infinity));
      if (o.plots) {
        const { pullsInputFromStats, pullsPlot, rankingFromImpacts, rankingPlot, writePlot } = await import("../../plot/index.js");
        await writePlot(rankingPlot(rankingFromImpacts(r.impacts, p), { ...label, poiName: r.poi, maxParameters: top }), path.join(o.plots, "ranking.png"));
        const { fit: fitInput, priors } = pullsInputFromStats(p);
        await writePlot(pullsPlot(fitInput, { ...label, priors }), path.join(o.plots, "pulls.png"));
      }
      if (o.json) {
        const out = {
          poi: r.poi,
          poi_bestfit: r.poiBestfit,
          poi_uncertainty: r.poiUncertainty,
          impacts: r.impacts.map((x) => ({
            name: x.name,
            bestfit: x.bestfit,
            uncertainty: x.uncertainty,
            prefit_up: finiteOrNull(x.prefitUp),
            prefit_down: finiteOrNull(x.prefitDown),
            postfit_up: x.postfitUp,
            postfit_down: x.postfitDown,
            constrained: x.constrained,
            converged: x.converged,
          })),
          pulls: p.map((x) => ({ name: x.name, pull: x.pull, constraint: x.constraint, bestfit: x.bestfit, uncertainty: x.uncertainty })),
          converged,
        };
        printJson(out);
        failRanking(converged, finite, ws, model, failedRefits, o.allowUnconverged);
        return;
      }
      const pre = (v: number, x: { constrained: boolean }) => (x.constrained ? v : "—");
      const rows = r.impacts.map((x) => [x.name, x.bestfit, x.uncertainty, pre(x.prefitUp, x), pre(x.prefitDown, x), x.postfitUp, x.postfitDown]);
      process.stdout.write(`${r.poi} = ${valueWithUncertainty(r.poiBestfit, r.poiUncertainty).join(" ± ")}${o.top !== undefined ? `  (top ${r.impacts.length} by post-fit impact)` : ""}\n\n`);
      process.stdout.write(table(["parameter", "best fit", "uncertainty", "Δμ pre +1σ", "Δμ pre −1σ", "Δμ post +1σ", "Δμ post −1σ"], rows) + "\n\n");
      process.stdout.write(
        table(
          ["parameter", "pull", "constraint"],
          p.map((x) => [x.name, x.pull ?? NaN, x.constraint ?? NaN]),
        ) +
          (r.impacts.some((x) => !x.constrained) ? "\n\n— : unconstrained parameter (normfactor/shapefactor): no pre-fit width, so no pre-fit impact and no pull" : "") +
          "\n",
      );
      failRanking(converged, finite, ws, model, failedRefits, o.allowUnconverged);
    });
}

/** After the ranking is written: unconverged refits or non-finite impacts make the command fail (issue 13 item 7). */
function failRanking(converged: boolean, finite: boolean, ws: Workspace, model: Model, failed: string[], allow = false): void {
  if (allow && finite) return;
  if (!converged || !finite)
    failUnconverged(
      finite ? `the refits of the ranking did not converge for ${failed.map((n) => `"${n}"`).join(", ")} (with --allow-unconverged they are recorded and the command succeeds)` : "the ranking gave non-finite impacts",
      undefined,
      { ws, model },
    );
}
