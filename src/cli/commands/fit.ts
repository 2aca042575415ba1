/** `hepflow fit WORKSPACE`: maximum-likelihood fit with uncertainties. */
import { printJson } from "../json.js";
import type { Command } from "commander";
import { fit, pulls } from "../../stats/index.js";
import { writeStandardPlots } from "../../plot/index.js";
import { addModelOptions, loadModel, numberOption, table, warnUnconverged } from "./stats-options.js";
import type { ModelCliOptions } from "./stats-options.js";
import { track, trackOptions } from "./track-options.js";

export function register(program: Command): void {
  trackOptions(addModelOptions(program.command("fit <workspace>").description("maximum-likelihood fit: best-fit values, uncertainties, twice the NLL"))
    .option("--mu <value>", "fix the POI at this value instead of fitting it")
    .option("--plots <dir>", "also draw pulls.png and correlation.png into this directory"))
    .action(async (file: string, o: ModelCliOptions & { mu?: string; plots?: string; track?: boolean }) => {
      const { model, data, fitOptions } = loadModel(file, o);
      if (o.mu !== undefined && model.config.poiName) fitOptions.fixed = { ...fitOptions.fixed, [model.config.poiName]: numberOption("--mu", o.mu, 1) };
      const r = fit(data, model, fitOptions);
      if (!r.converged) warnUnconverged(`the fit (${r.message})`);
      if (o.plots) {
        for (const f of await writeStandardPlots(o.plots, { fit: r, pulls: pulls(model, r), poiName: model.config.poiName ?? undefined })) process.stderr.write(`wrote ${f}\n`);
      }
      await track({ command: "fit", params: { workspace: file, mu: o.mu }, metrics: { ...Object.fromEntries(r.parameterNames.flatMap((n, i) => [[`${n}_bestfit`, r.bestfit[i]], [`${n}_uncertainty`, r.uncertainties[i]]])), twice_nll: r.twiceNll, converged: r.converged ? 1 : 0 }, artifacts: o.plots ? [{ path: o.plots, as: "plots" }] : [], inputs: [file] }, o.track);
      if (o.json) {
        const out = {
          bestfit: Object.fromEntries(r.parameterNames.map((n, i) => [n, r.bestfit[i]])),
          uncertainties: Object.fromEntries(r.parameterNames.map((n, i) => [n, r.uncertainties[i]])),
          twice_nll: r.twiceNll,
          converged: r.converged,
        };
        printJson(out);
        return;
      }
      const fixed = model.config.suggestedFixed();
      const rows = r.parameterNames.map((n, i) => [n, r.bestfit[i], r.uncertainties[i], fixed[i] || (fitOptions.fixed && n in fitOptions.fixed) ? "fixed" : ""]);
      process.stdout.write(`${table(["parameter", "best fit", "uncertainty", ""], rows)}\n\ntwice NLL  ${r.twiceNll}\nconverged  ${r.converged ? "yes" : `NO (${r.message})`}\n`);
    });
}
