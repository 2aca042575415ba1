/** `hepflow fit WORKSPACE`: maximum-likelihood fit with uncertainties and correlations (pyhf fit). */
import type { Command } from "commander";
import { fit, pulls } from "../../stats/index.js";
import { addModelOptions, emitJson, failUnconverged, fmt, loadModel, numberOption, requirePoi, table, warnUnconverged } from "./stats-options.js";
import type { ModelCliOptions } from "./stats-options.js";
import { track, trackOptions } from "./track-options.js";
import { addLabelOptions, labelStyle, type LabelCliOptions } from "./label-options.js";

export function register(program: Command): void {
  trackOptions(
    addLabelOptions(addModelOptions(program.command("fit <workspace>").description("maximum-likelihood fit: best-fit values, uncertainties, twice the NLL")))
      .option("--mu <value>", "fix the POI at this value instead of fitting it")
      .option("--value", "pyhf's flag for including twice the NLL; accepted (hepflow always includes twice_nll)")
      .option("--plots <dir>", "also draw pulls.png and correlation.png into this directory")
      .option("--no-staterror-pulls", "leave the per-bin staterror γ parameters out of pulls.png (as the AGC's pulls plot, spec §8.5)")
      .option("--corr-threshold <r>", "correlation plot: only parameters whose largest |ρ| with another is at least this (default 0)")
      .option("--corr-top <n>", "correlation plot: at most this many parameters, the most correlated first (default 20)"),
  ).action(async (file: string, o: ModelCliOptions & LabelCliOptions & { corrThreshold?: string; corrTop?: string; mu?: string; plots?: string; value?: boolean; staterrorPulls?: boolean; track?: boolean }) => {
    const { ws, model, data, fitOptions } = await loadModel(file, o, { needsPoi: false });
    const label = o.plots ? await labelStyle(o) : {}; // a bad label option fails before the fit
    if (o.mu !== undefined) fitOptions.fixed = { ...fitOptions.fixed, [requirePoi(model, "fit --mu")]: numberOption("--mu", o.mu, 1) };
    const r = fit(data, model, fitOptions);
    const finite = Number.isFinite(r.twiceNll) && Array.from(r.bestfit).every(Number.isFinite);
    if (o.plots && r.converged && finite) {
      const { writeStandardPlots } = await import("../../plot/index.js");
      const stat = new Set(model.config.parameterSets.filter((p) => p.types.includes("staterror")).map((p) => p.name));
      const shown = pulls(model, r).filter((p) => o.staterrorPulls !== false || !stat.has(p.name.replace(/\[\d+\]$/, "")));
      for (const f of await writeStandardPlots(
        o.plots,
        { fit: r, pulls: shown, poiName: model.config.poiName ?? undefined },
        { ...label, correlation: { threshold: numberOption("--corr-threshold", o.corrThreshold, 0), top: numberOption("--corr-top", o.corrTop, 20) } },
      ))
        process.stderr.write(`wrote ${f}\n`);
    }
    await track(
      {
        command: "fit",
        params: { workspace: file, mu: o.mu },
        metrics: {
          ...Object.fromEntries(
            r.parameterNames.flatMap((n, i) => [
              [`${n}_bestfit`, r.bestfit[i]],
              [`${n}_uncertainty`, r.uncertainties[i]],
            ]),
          ),
          twice_nll: r.twiceNll,
          converged: r.converged ? 1 : 0,
        },
        artifacts: o.plots ? [{ path: o.plots, as: "plots" }] : [],
        inputs: [file],
      },
      o.track,
    );
    const sets = model.config.parameterSets;
    const out = {
      // pyhf's shape: one list per parameter set (a scalar set has one entry)
      mle_parameters: Object.fromEntries(sets.map((s) => [s.name, Array.from(r.bestfit.subarray(s.offset, s.offset + s.n))])),
      mle_uncertainties: Object.fromEntries(sets.map((s) => [s.name, Array.from(r.uncertainties.subarray(s.offset, s.offset + s.n))])),
      twice_nll: r.twiceNll,
      converged: r.converged,
      message: r.message,
      poi: model.config.poiName,
      // one entry per parameter component, in model order (names as in pyhf's par_names)
      parameters: r.parameterNames,
      bestfit: Object.fromEntries(r.parameterNames.map((n, i) => [n, r.bestfit[i]])),
      uncertainties: Object.fromEntries(r.parameterNames.map((n, i) => [n, r.uncertainties[i]])),
      correlation: r.correlation ? r.correlation.map((row) => Array.from(row)) : null,
      covariance: r.covariance ? r.covariance.map((row) => Array.from(row)) : null,
    };
    if (!emitJson(o, out)) {
      if (!r.converged) warnUnconverged(`the fit (${r.message})`);
      const fixed = model.config.suggestedFixed();
      const rows = r.parameterNames.map((n, i) => [n, r.bestfit[i], r.uncertainties[i], fixed[i] || (fitOptions.fixed && n in fitOptions.fixed) ? "fixed" : ""]);
      process.stdout.write(`${table(["parameter", "best fit", "uncertainty", ""], rows)}\n\ntwice NLL  ${fmt(r.twiceNll)}\nconverged  ${r.converged ? "yes" : `NO (${r.message})`}\n`);
    }
    if (!r.converged || !finite) failUnconverged(finite ? "the fit did not converge" : "the fit gave a non-finite result", r.message, { ws, model, pars: r.bestfit });
  });
}
