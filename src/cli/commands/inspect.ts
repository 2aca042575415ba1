/** `hepflow inspect WORKSPACE`: channels, samples, modifiers and parameters of a pyhf workspace. */
import type { Command } from "commander";
import { addModelOptions, emitJson, loadModel, table } from "./stats-options.js";
import type { ModelCliOptions } from "./stats-options.js";

export function register(program: Command): void {
  addModelOptions(program.command("inspect <workspace>").description("summarise a pyhf JSON workspace: channels, samples, modifiers, parameters")).action(async (file: string, o: ModelCliOptions) => {
    const { ws, model } = await loadModel(file, o, { needsPoi: false });
    const c = model.config;
    const bounds = c.suggestedBounds();
    const init = c.suggestedInit();
    const fixed = c.suggestedFixed();
    // pyhf inspect's JSON (its --output-file): tuples as arrays, constraints by pyhf's names.
    const constraint = (c: string | null | undefined) => (c ? `constrained_by_${c}` : "unconstrained");
    const parameters = c.parameterSets.map((s) => [s.name, constraint(s.constraint)] as [string, string]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const out = {
      samples: c.samples,
      channels: c.channels.map((ch) => [ch, c.channelNbins[ch]]),
      modifiers: Object.fromEntries(c.modifiers),
      parameters,
      systematics: parameters.map(([n, k]) => [n, k, c.modifiers.filter(([m]) => m === n).map(([, t]) => t)]),
      measurements: ws.spec.measurements.map((m) => [m.name, m.config.poi, m.config.parameters.map((p) => p.name)]),
      // hepflow's additions (not in pyhf's output): the POI used and each parameter component
      poi: c.poiName,
      par_names: c.parameterNames,
      suggested_init: Array.from(init),
      suggested_bounds: bounds,
      suggested_fixed: fixed,
    };
    if (emitJson(o, out)) return;
    const lines = [
      `workspace    ${file}`,
      `measurements ${ws.measurementNames.join(", ")}`,
      `POI          ${c.poiName}`,
      `parameters   ${c.npars} (${c.nauxdata} constrained components)`,
      "",
      table(
        ["channel", "bins", "samples"],
        c.channels.map((ch) => {
          const spec = ws.spec.channels.find((x) => x.name === ch)!;
          return [ch, String(c.channelNbins[ch]), spec.samples.map((s) => s.name).join(", ")];
        }),
      ),
      "",
      table(
        ["modifier", "type"],
        c.modifiers.map(([n, t]) => [n, t]),
      ),
      "",
      table(
        ["parameter", "init", "low", "high", "constraint", "fixed"],
        c.parameterSets.flatMap((s) => Array.from({ length: s.n }, (_, k) => [s.scalar ? s.name : `${s.name}[${k}]`, s.inits[k], s.bounds[k]?.[0], s.bounds[k]?.[1], s.constraint ?? "none", s.fixed[k] ? "yes" : ""])),
      ),
    ];
    process.stdout.write(lines.join("\n") + "\n");
  });
}
