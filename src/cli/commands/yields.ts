/** `hepflow yields WORKSPACE`: pre-fit and post-fit yield tables per channel with uncertainties. */
import { printJson } from "../json.js";
import type { Command } from "commander";
import { HepflowError } from "../../util/index.js";
import { fit, postfitYields, prefitYields } from "../../stats/index.js";
import type { ChannelYields } from "../../stats/index.js";
import { addModelOptions, fmt, loadModel, pm, table, warnUnconverged } from "./stats-options.js";
import type { ModelCliOptions } from "./stats-options.js";

function render(title: string, t: ChannelYields[]): string {
  return t
    .map((c) => {
      const rows = [...c.samples.map((s) => [s.name, pm(s.total, s.uncertainty)]), ["total", pm(c.total.total, c.total.uncertainty)], ["data", fmt(c.data.total)]];
      return `${title}: ${c.channel}\n${table(["sample", "yield"], rows)}`;
    })
    .join("\n\n");
}

export function register(program: Command): void {
  addModelOptions(program.command("yields <workspace>").description("yields per channel and sample, pre-fit and post-fit, with uncertainties"))
    .option("--prefit-only", "skip the fit")
    .action(async (file: string, o: ModelCliOptions & { prefitOnly?: boolean }) => {
      const { model, data, fitOptions } = await loadModel(file, o, { needsPoi: false });
      const pre = prefitYields(model, data);
      let post: ChannelYields[] | null = null;
      if (!o.prefitOnly) {
        const r = fit(data, model, fitOptions);
        if (!r.converged) warnUnconverged(`the fit (${r.message})`);
        if (!r.correlation) throw new HepflowError("FIT_NO_COVARIANCE", "the fit's Hessian is not invertible; post-fit uncertainties cannot be propagated (try --prefit-only)");
        post = postfitYields(model, data, r);
      }
      if (o.json) {
        // snake_case keys, as every hepflow --json (bin_uncertainties, not the library's binUncertainties)
        const snake = (t: ChannelYields[] | null) => t && t.map((c) => ({ channel: c.channel, samples: c.samples.map(({ binUncertainties, ...s }) => ({ ...s, bin_uncertainties: binUncertainties })), total: { bins: c.total.bins, bin_uncertainties: c.total.binUncertainties, total: c.total.total, uncertainty: c.total.uncertainty }, data: c.data }));
        printJson({ prefit: snake(pre), postfit: snake(post) });
        return;
      }
      process.stdout.write(render("pre-fit", pre) + "\n" + (post ? "\n" + render("post-fit", post) + "\n" : ""));
    });
}
