/** `hepflow significance WORKSPACE`: discovery p-value and significance, observed and expected. */
import type { Command } from "commander";
import { significance } from "../../stats/index.js";
import { addModelOptions, emitJson, failUnconverged, locatingYields, loadModel, requirePoi, table, warnUnconverged } from "./stats-options.js";
import type { ModelCliOptions } from "./stats-options.js";

export function register(program: Command): void {
  addModelOptions(program.command("significance <workspace>").description("discovery p-value p0 and significance Z (q0, asymptotic), observed and expected")).action(async (file: string, o: ModelCliOptions) => {
    const { ws, model, data, fitOptions } = await loadModel(file, o);
    requirePoi(model, "significance");
    const r = await locatingYields(() => significance(data, model, fitOptions), { ws, model });
    // Z = +∞ (an excess where nothing is expected) is a result; NaN is not
    const bad = [r.p0Obs, r.zObs, r.p0Exp, r.zExp].some((v) => Number.isNaN(v));
    // q0 = ∞: the background-only model predicts nothing where events are seen, so its fit cannot
    // converge (−ln L → ∞), and that is the result (p0 = 0), not a failure.
    const excessWhereNothingExpected = r.q0 === Infinity;
    const done = () => {
      if (excessWhereNothingExpected && !bad) {
        process.stderr.write("note: the background-only model predicts no events in a bin with data: q0 = ∞, p0 = 0\n");
        return;
      }
      if (!r.converged || bad) failUnconverged(bad ? "the significance is not a number" : "some fits of the significance computation did not converge", undefined, { ws, model });
    };
    if (emitJson(o, { p0_obs: r.p0Obs, z_obs: r.zObs, p0_exp: r.p0Exp, z_exp: r.zExp, q0: r.q0, converged: r.converged })) return done();
    if (!r.converged && !excessWhereNothingExpected) warnUnconverged("some fits of the significance computation");
    const rows: (string | number)[][] = [
      ["observed p0", r.p0Obs],
      ["observed Z", r.zObs],
      ["expected p0 (median, mu=1)", r.p0Exp],
      ["expected Z", r.zExp],
      ["q0", r.q0],
    ];
    process.stdout.write(`${table(["quantity", "value"], rows)}\n`);
    done();
  });
}
