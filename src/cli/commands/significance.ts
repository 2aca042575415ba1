/** `hepflow significance WORKSPACE`: discovery p-value and significance, observed and expected. */
import { printJson } from "../json.js";
import type { Command } from "commander";
import { significance } from "../../stats/index.js";
import { addModelOptions, loadModel, table, warnUnconverged } from "./stats-options.js";
import type { ModelCliOptions } from "./stats-options.js";

export function register(program: Command): void {
  addModelOptions(program.command("significance <workspace>").description("discovery p-value p0 and significance Z (q0, asymptotic), observed and expected")).action(
    async (file: string, o: ModelCliOptions) => {
      const { model, data, fitOptions } = await loadModel(file, o);
      const r = significance(data, model, fitOptions);
      if (!r.converged) warnUnconverged("some fits of the significance computation");
      if (o.json) {
        printJson({ p0_obs: r.p0Obs, z_obs: r.zObs, p0_exp: r.p0Exp, z_exp: r.zExp });
        return;
      }
      const rows: (string | number)[][] = [
        ["observed p0", r.p0Obs],
        ["observed Z", r.zObs],
        ["expected p0 (median, mu=1)", r.p0Exp],
        ["expected Z", r.zExp],
        ["q0", r.q0],
      ];
      process.stdout.write(`${table(["quantity", "value"], rows)}\n`);
    },
  );
}
