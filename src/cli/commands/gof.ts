/** `hepflow gof WORKSPACE`: goodness of fit against the saturated model. */
import path from "node:path";
import { printJson } from "../json.js";
import type { Command } from "commander";
import { fit, goodnessOfFit } from "../../stats/index.js";
import { addModelOptions, failUnconverged, fmt, loadModel } from "./stats-options.js";
import type { ModelCliOptions } from "./stats-options.js";
import { addLabelOptions, labelStyle, type LabelCliOptions } from "./label-options.js";

export function register(program: Command): void {
  addLabelOptions(addModelOptions(program.command("gof <workspace>").description("saturated-model goodness of fit: Δ(2NLL), degrees of freedom, p-value")))
    .option("--plots <dir>", "also draw gof.png (the statistic on its χ² distribution, p-value shaded) and residuals.png ((n − ν̂)/√ν̂ per bin and channel)")
    .action(async (file: string, o: ModelCliOptions & LabelCliOptions & { plots?: string }) => {
      const { ws, model, data, fitOptions } = await loadModel(file, o, { needsPoi: false });
      const label = o.plots ? await labelStyle(o) : {}; // a bad label option fails before the fit
      const r = fit(data, model, { ...fitOptions, uncertainties: false });
      // A failed fit still leaves a record (converged: false) before the command fails.
      const g = r.converged ? goodnessOfFit(model, data, { fitOptions, result: r }) : { deltaTwiceNll: NaN, ndof: NaN, pValue: NaN, twiceNllFit: r.twiceNll, twiceNllSaturated: NaN };
      if (o.plots && r.converged && Number.isFinite(g.pValue)) {
        const { gofPlot, residualsPlot, writePlot } = await import("../../plot/index.js");
        const expected = model.expectedActualData(r.bestfit);
        const channels = model.config.channels.map((channel) => {
          const [lo, hi] = model.config.channelSlice(channel);
          return { channel, data: Array.from(data).slice(lo, hi), expected: expected.slice(lo, hi) };
        });
        for (const [name, spec] of [
          ["gof", gofPlot(g, label)],
          ["residuals", residualsPlot(channels, label)],
        ] as const) {
          const out = path.join(o.plots, `${name}.png`);
          await writePlot(spec, out, { scale: 2 });
          process.stderr.write(`wrote ${out}\n`);
        }
      }
      if (o.json) printJson({ delta_twice_nll: g.deltaTwiceNll, ndof: g.ndof, p_value: g.pValue, twice_nll_fit: g.twiceNllFit, twice_nll_saturated: g.twiceNllSaturated, converged: r.converged, message: r.message });
      else process.stdout.write(`Δ(2NLL) vs saturated  ${fmt(g.deltaTwiceNll)}\ndegrees of freedom    ${g.ndof}\np-value               ${fmt(g.pValue)}\nconverged             ${r.converged ? "yes" : `NO (${r.message})`}\n`);
      if (!r.converged) failUnconverged("the fit did not converge, so there is no goodness of fit", r.message, { ws, model, pars: r.bestfit });
      if (!Number.isFinite(g.deltaTwiceNll)) failUnconverged("the goodness of fit is not finite", undefined, { ws, model, pars: r.bestfit });
      if (!Number.isFinite(g.pValue)) failUnconverged(`the p-value is undefined (${g.ndof} degrees of freedom: as many free unconstrained parameters as bins)`);
    });
}
