/** `hepflow workspace combine|prune|rename`: pyhf-style workspace operations writing a new workspace JSON. */
import type { Command } from "commander";
import { HepflowError, claimOutputFile, writeOutputFile, type OutputRule } from "../../util/index.js";
import { combineWorkspaces, JOIN_MODES, loadWorkspace, pruneWorkspace, renameWorkspace } from "../../stats/index.js";
import type { JoinMode, ModifierType, Workspace } from "../../stats/index.js";

const collect = (value: string, previous: string[]) => previous.concat([value]);

function write(ws: Workspace, file: string, rule: OutputRule): void {
  writeOutputFile(file, JSON.stringify(ws.toJSON(), null, 2) + "\n", rule);
  process.stdout.write(`wrote ${file}: channels ${ws.channelNames.join(", ")}; measurements ${ws.measurementNames.join(", ")}\n`);
}

function pairs(list: string[], option: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of list) {
    const i = s.indexOf("=");
    if (i <= 0) throw new HepflowError("CLI_USAGE", `${option} expects OLD=NEW, got "${s}"`);
    out[s.slice(0, i)] = s.slice(i + 1);
  }
  return out;
}

export function register(program: Command): void {
  const ws = program.command("workspace").description("combine, prune or rename pyhf workspaces");
  ws.command("combine <left> <right>")
    .description("combine two workspaces (channels must not clash unless an outer join is chosen)")
    .requiredOption("-o, --output <file>", "combined workspace JSON")
    .option("--join <mode>", `how to join same-named items: ${JOIN_MODES.join(" | ")}`, "none")
    .option("--force", "replace an existing output file (never an input)")
    .action((left: string, right: string, o: { output: string; join: string; force?: boolean }) => {
      const rule = { force: o.force, inputs: [left, right] };
      claimOutputFile(o.output, rule);
      write(combineWorkspaces(loadWorkspace(left), loadWorkspace(right), o.join as JoinMode), o.output, rule);
    });
  ws.command("prune <workspace>")
    .description("remove channels, samples, modifiers or measurements")
    .requiredOption("-o, --output <file>", "pruned workspace JSON")
    .option("--channel <name>", "channel to remove; repeatable", collect, [])
    .option("--sample <name>", "sample to remove from every channel; repeatable", collect, [])
    .option("--modifier <name>", "modifier to remove everywhere; repeatable", collect, [])
    .option("--modifier-type <type>", "modifier type to remove everywhere (e.g. staterror); repeatable", collect, [])
    .option("--measurement <name>", "measurement to remove; repeatable", collect, [])
    .option("--force", "replace an existing output file (never the input)")
    .action((file: string, o: { output: string; channel: string[]; sample: string[]; modifier: string[]; modifierType: string[]; measurement: string[]; force?: boolean }) => {
      const rule = { force: o.force, inputs: [file] };
      claimOutputFile(o.output, rule);
      write(pruneWorkspace(loadWorkspace(file), { channels: o.channel, samples: o.sample, modifiers: o.modifier, modifierTypes: o.modifierType as ModifierType[], measurements: o.measurement }), o.output, rule);
    });
  ws.command("rename <workspace>")
    .description("rename channels, samples, modifiers or measurements (OLD=NEW)")
    .requiredOption("-o, --output <file>", "renamed workspace JSON")
    .option("--channel <old=new>", "rename a channel; repeatable", collect, [])
    .option("--sample <old=new>", "rename a sample; repeatable", collect, [])
    .option("--modifier <old=new>", "rename a modifier (and its parameter); repeatable", collect, [])
    .option("--measurement <old=new>", "rename a measurement; repeatable", collect, [])
    .option("--force", "replace an existing output file (never the input)")
    .action((file: string, o: { output: string; channel: string[]; sample: string[]; modifier: string[]; measurement: string[]; force?: boolean }) => {
      const rule = { force: o.force, inputs: [file] };
      claimOutputFile(o.output, rule);
      const r = renameWorkspace(loadWorkspace(file), {
        channels: pairs(o.channel, "--channel"),
        samples: pairs(o.sample, "--sample"),
        modifiers: pairs(o.modifier, "--modifier"),
        measurements: pairs(o.measurement, "--measurement"),
      });
      write(r, o.output, rule);
    });
}
