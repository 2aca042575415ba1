/** `hepflow gof WORKSPACE`: goodness of fit against the saturated model. */
import { printJson } from "../json.js";
import type { Command } from "commander";
import { fit, goodnessOfFit } from "../../stats/index.js";
import { addModelOptions, fmt, loadModel } from "./stats-options.js";
import type { ModelCliOptions } from "./stats-options.js";

export function register(program: Command): void {
  addModelOptions(program.command("gof <workspace>").description("saturated-model goodness of fit: Δ(2NLL), degrees of freedom, p-value"))
    .action(async (file: string, o: ModelCliOptions) => {
      const { model, data, fitOptions } = await loadModel(file, o, { needsPoi: false });
      const g = goodnessOfFit(model, data, { fitOptions, result: fit(data, model, { ...fitOptions, uncertainties: false }) });
      if (o.json) {
        printJson({ delta_twice_nll: g.deltaTwiceNll, ndof: g.ndof, p_value: g.pValue, twice_nll_fit: g.twiceNllFit, twice_nll_saturated: g.twiceNllSaturated });
        return;
      }
      process.stdout.write(`Δ(2NLL) vs saturated  ${fmt(g.deltaTwiceNll)}\ndegrees of freedom    ${g.ndof}\np-value               ${fmt(g.pValue)}\n`);
    });
}
