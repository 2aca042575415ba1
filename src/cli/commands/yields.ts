/** `hepflow yields WORKSPACE`: pre-fit and post-fit yield tables per channel with uncertainties. */
import { printJson } from "../json.js";
import type { Command } from "commander";
import { HepflowError } from "../../util/index.js";
import { fit, loadBuilderConfig, postfitYields, prefitYields } from "../../stats/index.js";
import type { ChannelYields } from "../../stats/index.js";
import { addModelOptions, failUnconverged, fmt, loadModel, pm, table, warnUnconverged } from "./stats-options.js";
import type { ModelCliOptions } from "./stats-options.js";
import { addLabelOptions, labelStyle, type LabelCliOptions } from "./label-options.js";
import path from "node:path";

function render(title: string, t: ChannelYields[]): string {
  return t
    .map((c) => {
      const rows = [...c.samples.map((s) => [s.name, pm(s.total, s.uncertainty)]), ["total", pm(c.total.total, c.total.uncertainty)], ["data", fmt(c.data.total)]];
      return `${title}: ${c.channel}\n${table(["sample", "yield"], rows)}`;
    })
    .join("\n\n");
}

export function register(program: Command): void {
  addLabelOptions(addModelOptions(program.command("yields <workspace>").description("yields per channel and sample, pre-fit and post-fit, with uncertainties")))
    .option("--prefit-only", "skip the fit")
    .option("--plots <dir>", "also draw prefit_<channel>.png and postfit_<channel>.png (stack, data, uncertainty band, ratio; bins numbered unless --config)")
    .option("--config <file>", "with --plots: the build config of the workspace; its regions' Binning are the plots' bin edges, their Variable the x title, its data sample's Name the data label")
    .action(async (file: string, o: ModelCliOptions & LabelCliOptions & { prefitOnly?: boolean; plots?: string; config?: string }) => {
      const { ws, model, data, fitOptions } = await loadModel(file, o, { needsPoi: false });
      const label = o.plots ? await labelStyle(o) : {}; // a bad label option fails before the fit
      const pre = prefitYields(model, data);
      let post: ChannelYields[] | null = null;
      let r: ReturnType<typeof fit> | null = null;
      if (!o.prefitOnly) {
        r = fit(data, model, fitOptions);
        if (!r.converged) warnUnconverged(`the fit (${r.message})`);
        // Post-fit yields of a failed fit are not shown: the record says converged: false and the command fails below.
        else if (!r.correlation) throw new HepflowError("FIT_NO_COVARIANCE", "the fit's Hessian is not invertible; post-fit uncertainties cannot be propagated (try --prefit-only)");
        else post = postfitYields(model, data, r);
      }
      if (o.plots) {
        const { fitStackPlot, stackFromYields, writePlot } = await import("../../plot/index.js");
        const cfg = o.config ? loadBuilderConfig(o.config) : undefined;
        // cabinetry's Variable is written for matplotlib's mathtext ("$m_{bjj}$ [GeV]"): plain text here
        const plain = (t: string) => t.replace(/[${}]/g, "");
        const dataLabel = cfg?.Samples.find((s) => s.Data)?.Name ?? "Data";
        for (const [stage, tables] of [
          ["pre-fit", pre],
          ["post-fit", post],
        ] as const) {
          for (const ch of tables ?? []) {
            const region = cfg?.Regions.find((r) => r.Name === ch.channel);
            if (cfg && !region) throw new HepflowError("CLI_OPTION", `the config has no region "${ch.channel}" (a channel of the workspace)`, { file: o.config });
            const edges = region?.Binning && region.Binning.length === ch.total.bins.length + 1 ? region.Binning : undefined;
            if (region?.Binning && !edges) throw new HepflowError("CLI_OPTION", `region "${ch.channel}" has ${region.Binning.length - 1} bins in the config but ${ch.total.bins.length} in the workspace`, { file: o.config });
            const file = path.join(o.plots, `${stage.replace("-", "")}_${ch.channel.replace(/[^A-Za-z0-9_.-]+/g, "_")}.png`);
            const xTitle = region?.Variable ? plain(region.Variable) : "bin";
            await writePlot(fitStackPlot(stage, stackFromYields(ch, edges, dataLabel), { ...label, xTitle, title: `${stage} ${ch.channel}` }), file);
            process.stderr.write(`wrote ${file}\n`);
          }
        }
      }
      if (o.json) {
        // snake_case keys, as every hepflow --json (bin_uncertainties, not the library's binUncertainties)
        const snake = (t: ChannelYields[] | null) =>
          t?.map((c) => ({
            channel: c.channel,
            samples: c.samples.map(({ binUncertainties, ...s }) => ({ ...s, bin_uncertainties: binUncertainties })),
            total: { bins: c.total.bins, bin_uncertainties: c.total.binUncertainties, total: c.total.total, uncertainty: c.total.uncertainty },
            data: c.data,
          }));
        printJson({ prefit: snake(pre), postfit: snake(post), converged: r ? r.converged : null });
      } else process.stdout.write(render("pre-fit", pre) + "\n" + (post ? "\n" + render("post-fit", post) + "\n" : ""));
      const finite = pre.concat(post ?? []).every((c) => Number.isFinite(c.total.total) && Number.isFinite(c.total.uncertainty));
      if (r && !r.converged) failUnconverged("the fit did not converge, so there are no post-fit yields (hepflow yields --prefit-only shows the pre-fit ones)", r.message, { ws, model, pars: r.bestfit });
      if (!finite) failUnconverged("some yields or their uncertainties are not finite", undefined, { ws, model });
    });
}
