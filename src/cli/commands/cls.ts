/** `hepflow cls WORKSPACE --mu X`: CLs of one POI value, observed and expected band. */
import { printJson } from "../json.js";
import type { Command } from "commander";
import { checkTestStat, hypotest, hypotestToys } from "../../stats/index.js";
import { HepflowError } from "../../util/index.js";
import { progressPrinter } from "../progress.js";
import { addModelOptions, fmt, loadModel, numberOption, table, warnUnconverged } from "./stats-options.js";
import type { ModelCliOptions } from "./stats-options.js";
import { addGridOptions, runGridCommand, wantsGrid } from "./grid-options.js";
import type { GridCliOptions } from "./grid-options.js";

export function register(program: Command): void {
  addGridOptions(addModelOptions(program.command("cls <workspace>").description("hypothesis test of one POI value: CLs, CLs+b, CLb and the expected CLs band")))
    .option("--mu <value>", "POI value tested", "1")
    .option("--test-stat <name>", "q | qtilde | q0 | t | ttilde", "qtilde")
    .option("--calculator <name>", "asymptotics | toys", "asymptotics")
    .option("--toys <n>", "number of toys per hypothesis (toys calculator)", "1000")
    .option("--seed <n>", "random seed (toys calculator)", "0")
    .option("--workers <n>", "worker threads for toys (default: all cores)")
    .action(async (file: string, o: ModelCliOptions & GridCliOptions & { gridWorkers?: string; mu: string; testStat: string; calculator: string; toys: string; seed: string; workers?: string }) => {
      if (wantsGrid(o)) return runGridCommand(file, o, { mu: numberOption("--mu", o.mu, 1), limits: false, testStat: checkTestStat(o.testStat) as "q" | "qtilde", cl: 0.95 });
      const { model, data, fitOptions } = loadModel(file, o);
      const mu = numberOption("--mu", o.mu, 1);
      const testStat = checkTestStat(o.testStat);
      let r;
      if (o.calculator === "toys") {
        const workers = o.workers === undefined ? undefined : numberOption("--workers", o.workers, 1);
        const progress = progressPrinter();
        r = await hypotestToys(mu, data, model, { ...fitOptions, testStat, toys: numberOption("--toys", o.toys, 1000), seed: numberOption("--seed", o.seed, 0), workers, onProgress: progress });
        progress.end();
      } else if (o.calculator === "asymptotics") {
        r = hypotest(mu, data, model, { ...fitOptions, testStat });
      } else {
        throw new HepflowError("CLI_USAGE", `--calculator must be asymptotics or toys, got "${o.calculator}"`);
      }
      if (!r.converged) warnUnconverged("some fits of the hypothesis test");
      if (o.json) {
        const out = { cls_obs: r.cls, cls_exp: r.expected, clsb_obs: r.clsb, clb_obs: r.clb, test_stat: r.testStatistic, mu: r.mu };
        printJson(out);
        return;
      }
      const label = testStat === "q0" ? "expected p0 (CLs+b)" : "expected CLs";
      const rows: (string | number)[][] = [
        ["observed CLs", r.cls],
        ["observed CLs+b", r.clsb],
        ["observed CLb", r.clb],
        ...["-2σ", "-1σ", "median", "+1σ", "+2σ"].map((s, i) => [`${label} ${s}`, r.expected[i]]),
        [`test statistic ${testStat}`, r.testStatistic],
      ];
      process.stdout.write(`POI ${model.config.poiName} = ${fmt(r.mu)}, ${o.calculator}\n${table(["quantity", "value"], rows)}\n`);
    });
}
