/** `hepflow cls WORKSPACE --test-poi X`: CLs of one POI value, observed and expected band (pyhf cls). */
import { track, trackOptions } from "./track-options.js";
import type { Command } from "commander";
import { checkTestStat, hypotest, hypotestToys } from "../../stats/index.js";
import { progressPrinter } from "../progress.js";
import { addModelOptions, addToyOptions, bandRows, toyOptions, emitJson, failUnconverged, locatingYields, fmt, loadModel, numberOption, requirePoi, table, warnUnconverged } from "./stats-options.js";
import type { Cell, ModelCliOptions, ToyCliOptions } from "./stats-options.js";
import { addGridOptions, runGridCommand, wantsGrid } from "./grid-options.js";
import type { GridCliOptions } from "./grid-options.js";

export function register(program: Command): void {
  trackOptions(
    addToyOptions(
      addGridOptions(addModelOptions(program.command("cls <workspace>").description("hypothesis test of one POI value: CLs, CLs+b, CLb and the expected CLs band")))
        .option("--test-poi <value>", "POI value tested (pyhf's name; alias --mu)", "1")
        .option("--mu <value>", "POI value tested (same as --test-poi)")
        .option("--test-stat <name>", "q | qtilde | q0 | t | ttilde", "qtilde"),
    ),
  ).action(async (file: string, o: ModelCliOptions & GridCliOptions & { gridWorkers?: string; testPoi: string; mu?: string; testStat: string; track?: boolean } & ToyCliOptions) => {
    if (wantsGrid(o)) return runGridCommand(file, o, { mu: numberOption(o.mu !== undefined ? "--mu" : "--test-poi", o.mu ?? o.testPoi, 1), limits: false, testStat: checkTestStat(o.testStat) as "q" | "qtilde", cl: 0.95 });
    const { ws, model, data, fitOptions } = await loadModel(file, o);
    const poi = requirePoi(model, "cls");
    const mu = numberOption(o.mu !== undefined ? "--mu" : "--test-poi", o.mu ?? o.testPoi, 1);
    const testStat = checkTestStat(o.testStat);
    const { calc, toys, seed, workers } = toyOptions(o);
    let r;
    if (calc === "toys") {
      const progress = progressPrinter();
      r = await hypotestToys(mu, data, model, { ...fitOptions, testStat, toys, seed, workers, onProgress: progress });
      progress.end();
    } else {
      r = await locatingYields(() => hypotest(mu, data, model, { ...fitOptions, testStat }), { ws, model });
    }
    const finite = [r.cls, r.clsb, r.clb, ...r.expected].every(Number.isFinite);
    // pyhf's keys (CLs_obs, CLs_exp) first; the rest as pyhf's hypotest returns them (CLsb, CLb).
    const out = {
      CLs_obs: r.cls,
      CLs_exp: r.expected,
      CLsb_obs: r.clsb,
      CLb_obs: r.clb,
      test_stat: testStat,
      test_stat_value: r.testStatistic,
      test_poi: r.mu,
      poi: poi,
      calctype: calc === "toys" ? "toybased" : "asymptotics",
      converged: r.converged,
    };
    await track(
      {
        command: "cls",
        params: { workspace: file, mu, test_stat: testStat, calctype: out.calctype },
        metrics: { CLs_obs: r.cls, CLsb_obs: r.clsb, CLb_obs: r.clb, test_stat: r.testStatistic, ...Object.fromEntries(r.expected.map((v, i) => [`CLs_exp_${["m2", "m1", "median", "p1", "p2"][i]}`, v])) },
        inputs: [file],
      },
      o.track,
    );
    if (!emitJson(o, out)) {
      if (!r.converged) warnUnconverged("some fits of the hypothesis test");
      const label = testStat === "q0" ? "expected p0 (CLs+b)" : "expected CLs";
      const rows: Cell[][] = [["observed CLs", r.cls], ["observed CLs+b", r.clsb], ["observed CLb", r.clb], ...bandRows((s) => `${label} ${s}`, r.expected), [`test statistic ${testStat}`, r.testStatistic]];
      process.stdout.write(`POI ${poi} = ${fmt(r.mu)}, ${out.calctype}\n${table(["quantity", "value"], rows)}\n`);
    }
    if (!r.converged || !finite) failUnconverged(!finite ? "the hypothesis test gave a non-finite CLs" : "some fits of the hypothesis test did not converge", undefined, { ws, model });
  });
}
