/** `hepflow limit WORKSPACE`: CLs upper limit on the POI, observed and expected band. */
import { track, trackOptions } from "./track-options.js";
import type { Command } from "commander";
import { checkTestStat, isDatacard, upperLimit, upperLimitToys } from "../../stats/index.js";
import { HepflowError } from "../../util/index.js";
import { progressPrinter } from "../progress.js";
import { addModelOptions, addToyOptions, bandRows, toyOptions, emitJson, failUnconverged, locatingYields, loadModel, numberOption, requirePoi, table, warnUnconverged } from "./stats-options.js";
import type { ModelCliOptions, ToyCliOptions } from "./stats-options.js";
import { addGridOptions, runGridCommand, wantsGrid } from "./grid-options.js";
import { addLabelOptions, labelStyle, type LabelCliOptions } from "./label-options.js";
import type { GridCliOptions } from "./grid-options.js";

export function register(program: Command): void {
  trackOptions(
    addToyOptions(
      addLabelOptions(
        addGridOptions(addModelOptions(program.command("limit <workspace>").description("CLs upper limit on the POI (observed and expected -2σ…+2σ); a Combine datacard gives AsymptoticLimits' numbers")))
          .option("--cl <level>", "confidence level", "0.95")
          .option("--test-stat <name>", "q | qtilde", "qtilde")
          .option("--method <name>", "root (root finding) | scan (linear interpolation on a grid); toybased always scans", "root")
          .option("--scan <start:stop:n>", "grid for --method scan, e.g. 0:5:21 (default 0 to the POI's upper bound, 21 points; toybased: 0 to twice the asymptotic +2σ limit)")
          .option("--exact", "datacards: exact expected limits instead of Combine's stepping/bisection search (whose rRelAcc 0.5% Combine's printed numbers carry)")
          .option("--plots <dir>", "also draw cls.png (CLs versus the POI with the expected bands) into this directory"),
      ),
    ),
  ).action(
    async (file: string, o: ModelCliOptions & GridCliOptions & LabelCliOptions & { gridWorkers?: string; cl: string; testStat: string; method: string; scan?: string; plots?: string; exact?: boolean; track?: boolean } & ToyCliOptions) => {
      if (wantsGrid(o)) return runGridCommand(file, o, { mu: 1, limits: true, testStat: checkTestStat(o.testStat) as "q" | "qtilde", cl: numberOption("--cl", o.cl, 0.95) });
      const { ws, model, data, fitOptions } = await loadModel(file, o);
      const label = o.plots ? await labelStyle(o) : {}; // a bad label option fails before the scan
      requirePoi(model, "limit");
      const cl = numberOption("--cl", o.cl, 0.95);
      if (o.method !== "root" && o.method !== "scan") throw new HepflowError("CLI_USAGE", `--method must be root or scan, got "${o.method}"`);
      let scan: number[] | undefined;
      if (o.scan !== undefined) {
        const m = /^([^:]+):([^:]+):(\d+)$/.exec(o.scan);
        const [a, b, n] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [NaN, NaN, NaN];
        if (!m || !Number.isFinite(a) || !Number.isFinite(b) || n < 2) throw new HepflowError("CLI_USAGE", `--scan expects start:stop:n with n ≥ 2, got "${o.scan}"`);
        scan = Array.from({ length: n }, (_, i) => a + ((b - a) * i) / (n - 1));
      }
      const { calc, toys, seed, workers } = toyOptions(o);
      let r;
      if (calc === "toys") {
        const progress = progressPrinter();
        r = await upperLimitToys(data, model, { ...fitOptions, cl, testStat: checkTestStat(o.testStat), scan, toys, seed, workers, onProgress: progress });
        progress.end();
      } else {
        // a Combine datacard gets Combine's AsymptoticLimits expected band
        r = await locatingYields(
          () =>
            upperLimit(data, model, {
              ...fitOptions,
              cl,
              testStat: checkTestStat(o.testStat),
              method: o.method as "root" | "scan",
              scan,
              expected: isDatacard(file) ? "combine" : "pyhf",
              combineSearch: { search: o.exact ? "exact" : "combine" },
            }),
          { ws, model },
        );
      }
      const method = calc === "toys" ? "toybased scan" : o.method;
      if (!r.converged) warnUnconverged("some fits of the limit computation");
      if (o.plots) {
        const { writeStandardPlots } = await import("../../plot/index.js");
        for (const f of await writeStandardPlots(o.plots, { limit: r, poiName: model.config.poiName ?? undefined }, label)) process.stderr.write(`wrote ${f}\n`);
      }
      await track(
        {
          command: "limit",
          params: { workspace: file, cl, test_stat: o.testStat, method },
          metrics: { limit_obs: r.obs, ...Object.fromEntries(r.exp.map((v, i) => [`limit_exp_${["m2", "m1", "median", "p1", "p2"][i]}`, v])) },
          artifacts: o.plots ? [{ path: o.plots, as: "plots" }] : [],
          inputs: [file],
        },
        o.track,
      );
      const bad = [r.obs, ...r.exp].some((v) => Number.isNaN(v));
      const done = () => {
        if (!r.converged || bad) failUnconverged(bad ? "the upper limit is not a number" : "some fits of the limit computation did not converge", undefined, { ws, model });
      };
      if (emitJson(o, { obs: r.obs, exp: r.exp, cl, ...(calc === "toys" ? { calctype: "toybased", ntoys: toys, seed, scan: r.points.map((p) => p.mu) } : {}), converged: r.converged })) return done();
      const rows = [["observed", r.obs], ...bandRows((s) => `expected ${s}`, r.exp)];
      process.stdout.write(`${cl * 100}% CL upper limit on ${model.config.poiName} (${method}, ${r.points.length} hypothesis tests)\n${table(["limit", "value"], rows)}\n`);
      done();
    },
  );
}
