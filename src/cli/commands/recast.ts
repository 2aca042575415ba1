/** `hepflow recast ls|describe|run|results`: RECAST catalogue entries (recast-atlas's format) run as yadage workflows. */
import path from "node:path";
import type { Command } from "commander";
import { stringify as toYaml } from "yaml";
import { HepflowError } from "../../util/index.js";
import type { RecastEntry } from "../../workflow/index.js";
import { printJson } from "../json.js";
import { parseInitParams, resolveInitPaths, runLoaded, runOptions, type RunCliOptions } from "./workflow.js";

const collect = (value: string, previous: string[]) => previous.concat([value]);

interface CatalogueOpts {
  catalogue: string[];
}
const catalogueOption = (c: Command) => c.option("--catalogue <dir>", "also read catalogue entries from this folder (NAME.yml or NAME/recast.yml); repeatable", collect, []);

function printResults(entry: RecastEntry, rundir: string, json: boolean | undefined, read: (rundir: string, r: RecastEntry["results"][number]) => { name: string; path: string; exists: boolean; value?: unknown }): void {
  const results = entry.results.map((r) => read(rundir, r));
  if (json) return printJson(results);
  for (const r of results) {
    process.stdout.write(`${r.name}: ${r.path}${r.exists ? "" : " (missing)"}\n`);
    if (r.value !== undefined) process.stdout.write(toYaml(r.value).trimEnd().replace(/^/gm, "    ") + "\n");
  }
  const missing = results.filter((r) => !r.exists);
  if (missing.length) throw new HepflowError("RECAST_RESULT", `${missing.length} declared result(s) missing: ${missing.map((m) => m.path).join(", ")}`, { file: rundir });
}

export function register(program: Command): void {
  const rc = program.command("recast").description("RECAST reinterpretation: catalogue entries (recast-atlas format) run as workflows with new signal inputs");

  catalogueOption(rc.command("ls").description("list the catalogue entries"))
    .option("--json", "print the entries as JSON")
    .action(async (o: CatalogueOpts & { json?: boolean }) => {
      const w = await import("../../workflow/index.js");
      const entries = w.listEntries(o.catalogue);
      if (o.json) return printJson(entries.map((e) => ({ name: e.name, description: e.metadata.short_description, examples: Object.keys(e.example_inputs), file: e.file })));
      for (const e of entries) process.stdout.write(`${e.name.padEnd(32)} ${String(e.metadata.short_description ?? "")}\n`);
    });

  catalogueOption(rc.command("describe <name>").description("an entry's metadata, workflow, example inputs, init parameters and declared results"))
    .option("--json", "print as JSON")
    .action(async (name: string, o: CatalogueOpts & { json?: boolean }) => {
      const w = await import("../../workflow/index.js");
      const e = w.findEntry(name, o.catalogue);
      let initParameters: string[] | string;
      try {
        const { toplevel, workflow } = w.entryWorkflow(e);
        initParameters = w.initParameterNames(w.loadSpec(workflow, { toplevel }));
      } catch (err) {
        initParameters = (err as Error).message;
      }
      const info = { name: e.name, file: e.file, metadata: e.metadata, spec: e.spec, example_inputs: e.example_inputs, init_parameters: initParameters, results: e.results };
      if (o.json) return printJson(info);
      process.stdout.write(toYaml(info));
    });

  runOptions(catalogueOption(rc.command("run <name>").description("run an entry with an example's inputs and/or -p overrides (the new signal)")))
    .option("--example <name>", "example_inputs entry to start from (default: default)")
    .option("-p, --param <name=value>", "init parameter overriding the example (YAML value); repeatable", collect, [])
    .option("--init <file>", "YAML file of init parameters overriding the example; repeatable", collect, [])
    .option("--json", "print the results as JSON")
    .action(async (name: string, o: CatalogueOpts & RunCliOptions & { example?: string; param: string[]; init: string[]; json?: boolean }) => {
      const w = await import("../../workflow/index.js");
      const e = w.findEntry(name, o.catalogue);
      const { toplevel, workflow } = w.entryWorkflow(e);
      const spec = w.loadSpec(workflow, { toplevel });
      // Example values are relative to the entry file (globs expand); -p values to the current directory.
      const base = { ...resolveInitPaths(w.exampleInit(e, o.example), path.dirname(e.file), true), ...parseInitParams(o.param, o.init, process.cwd(), true) };
      const issues = w.validateSpec(spec, { init: base, initSource: o.example ? `example ${o.example}` : "init" });
      for (const i of issues.filter((x) => x.severity === "warning")) process.stderr.write(`hepflow: warning: ${i.file}: ${i.object}: ${i.message}\n`);
      w.assertValid(issues);
      await runLoaded(spec, base, o, o.json ? process.stderr : process.stdout);
      printResults(e, o.out, o.json, w.readResult);
    });

  catalogueOption(rc.command("results <name>").description("the declared results of a finished run (load_yaml ones printed)"))
    .requiredOption("-o, --out <dir>", "the run directory")
    .option("--json", "print as JSON")
    .action(async (name: string, o: CatalogueOpts & { out: string; json?: boolean }) => {
      const w = await import("../../workflow/index.js");
      printResults(w.findEntry(name, o.catalogue), o.out, o.json, w.readResult);
    });
}
