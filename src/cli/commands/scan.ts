/** `hepflow scan WORKSPACE`: profile-likelihood scan of the POI (or any one or two parameters). */
import { printJson } from "../json.js";
import type { Command } from "commander";
import { HepflowError } from "../../util/index.js";
import { linspace, scan1D, scan2D } from "../../stats/index.js";
import type { Model, Workspace } from "../../stats/index.js";
import { addModelOptions, failUnconverged, fmt, loadModel, table, warnUnconverged } from "./stats-options.js";
import type { ModelCliOptions } from "./stats-options.js";
import { addLabelOptions, labelStyle, type LabelCliOptions } from "./label-options.js";
import path from "node:path";

function range(s: string | undefined, n: number): number[] | undefined {
  if (s === undefined) return undefined;
  const m = /^(.+):(.+)$/.exec(s);
  const lo = m ? Number(m[1]) : NaN,
    hi = m ? Number(m[2]) : NaN;
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new HepflowError("CLI_USAGE", `a range is LOW:HIGH, got "${s}"`);
  return linspace(lo, hi, n);
}

export function register(program: Command): void {
  addLabelOptions(addModelOptions(program.command("scan <workspace>").description("Δ(−2 ln L) scan in one parameter (default the POI) or two (--y)")))
    .option("--parameter <name>", "parameter to scan (default: the POI)")
    .option("--range <lo:hi>", "scan range (default: best fit ± 2σ within bounds)")
    .option("--points <n>", "number of points (per axis; default 11)")
    .option("--y <name>", "second parameter for a 2D scan")
    .option("--y-range <lo:hi>", "range of the second parameter")
    .option("--plots <dir>", "also draw scan.png (1D scans: Δ(−2 ln L) with the 1σ and 2σ levels)")
    .action(async (file: string, o: ModelCliOptions & LabelCliOptions & { parameter?: string; range?: string; points?: string; y?: string; yRange?: string; plots?: string }) => {
      const { ws, model, data, fitOptions } = await loadModel(file, o);
      const label = o.plots ? await labelStyle(o) : {}; // a bad label option fails before the fit
      const n = Number(o.points ?? 11);
      if (!Number.isInteger(n) || n < 1) throw new HepflowError("CLI_USAGE", `--points expects a positive integer, got "${o.points}"`);
      const x = o.parameter ?? model.config.poiName;
      if (!x) throw new HepflowError("CLI_USAGE", "the workspace has no POI; name the parameter with --parameter");
      if (o.y) {
        if (o.plots) throw new HepflowError("CLI_USAGE", "--plots draws 1D scans only; drop --y or --plots");
        const s = scan2D(model, data, [x, o.y], { x: range(o.range, n), y: range(o.yRange, n), points: n, fitOptions });
        const converged = s.converged.flat().every((c) => c);
        if (!converged) warnUnconverged("some scan fits");
        if (o.json) printJson({ parameters: s.parameters, x: s.x, y: s.y, delta_twice_nll: s.deltaTwiceNll, bestfit: s.bestfit, twice_nll_min: s.twiceNllMin, converged, points_converged: s.converged });
        else
          process.stdout.write(
            table(
              [x, o.y, "Δ(2NLL)"],
              s.x.flatMap((vx, i) => s.y.map((vy, j) => [String(vx), vy, s.deltaTwiceNll[i]?.[j]])),
            ) + "\n",
          );
        failScan(converged, [s.twiceNllMin, ...s.deltaTwiceNll.flat()], ws, model);
        return;
      }
      const s = scan1D(model, data, x, { values: range(o.range, n), points: n, fitOptions });
      const converged = s.converged.every((c) => c);
      if (!converged) warnUnconverged("some scan fits");
      if (o.plots) {
        const { scanPlot, writePlot } = await import("../../plot/index.js");
        const out = path.join(o.plots, "scan.png");
        await writePlot(scanPlot(s.values, s.deltaTwiceNll, { ...label, xTitle: x }), out);
        process.stderr.write(`wrote ${out}\n`);
      }
      if (o.json) printJson({ parameter: s.parameter, values: s.values, delta_twice_nll: s.deltaTwiceNll, bestfit: s.bestfit, twice_nll_min: s.twiceNllMin, converged, points_converged: s.converged });
      else
        process.stdout.write(
          `best fit ${x} = ${fmt(s.bestfit)}, 2NLL = ${fmt(s.twiceNllMin)}\n\n` +
            table(
              [x, "Δ(2NLL)"],
              s.values.map((v, i) => [fmt(v), s.deltaTwiceNll[i]]),
            ) +
            "\n",
        );
      failScan(converged, [s.twiceNllMin, ...s.deltaTwiceNll], ws, model);
    });
}

/** After the scan is written: unconverged fits or non-finite Δ(2NLL) make the command fail (issue 13 item 7). */
function failScan(converged: boolean, values: number[], ws: Workspace, model: Model): void {
  const finite = values.every(Number.isFinite);
  if (!converged || !finite) failUnconverged(finite ? "some fits of the scan did not converge" : "the scan gave non-finite values", undefined, { ws, model });
}
