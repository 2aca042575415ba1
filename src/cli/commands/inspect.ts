/** `hepflow inspect WORKSPACE`: channels, samples, modifiers and parameters of a pyhf workspace. */
import { printJson } from "../json.js";
import type { Command } from "commander";
import { addModelOptions, loadModel, table } from "./stats-options.js";
import type { ModelCliOptions } from "./stats-options.js";

export function register(program: Command): void {
  addModelOptions(program.command("inspect <workspace>").description("summarise a pyhf JSON workspace: channels, samples, modifiers, parameters")).action(
    async (file: string, o: ModelCliOptions) => {
      const { ws, model } = await loadModel(file, o, { needsPoi: false });
      const c = model.config;
      const bounds = c.suggestedBounds();
      const init = c.suggestedInit();
      const fixed = c.suggestedFixed();
      if (o.json) {
        const out = {
          channels: c.channels.map((ch) => ({ name: ch, bins: c.channelNbins[ch] })),
          samples: c.samples,
          modifiers: c.modifiers.map(([name, type]) => ({ name, type })),
          measurements: ws.measurementNames,
          poi: c.poiName,
          parameters: c.parameterNames.map((n, i) => ({ name: n, init: init[i], bounds: bounds[i], fixed: fixed[i] })),
        };
        printJson(out);
        return;
      }
      const lines = [
        `workspace    ${file}`,
        `measurements ${ws.measurementNames.join(", ")}`,
        `POI          ${c.poiName}`,
        `parameters   ${c.npars} (${c.nauxdata} constrained components)`,
        "",
        table(["channel", "bins", "samples"], c.channels.map((ch) => {
          const spec = ws.spec.channels.find((x) => x.name === ch)!;
          return [ch, String(c.channelNbins[ch]), spec.samples.map((s) => s.name).join(", ")];
        })),
        "",
        table(["modifier", "type"], c.modifiers.map(([n, t]) => [n, t])),
        "",
        table(["parameter", "init", "low", "high", "constraint", "fixed"], c.parameterSets.flatMap((s) =>
          Array.from({ length: s.n }, (_, k) => [
            s.scalar ? s.name : `${s.name}[${k}]`,
            s.inits[k],
            s.bounds[k][0],
            s.bounds[k][1],
            s.constraint ?? "none",
            s.fixed[k] ? "yes" : "",
          ]),
        )),
      ];
      process.stdout.write(lines.join("\n") + "\n");
    },
  );
}
