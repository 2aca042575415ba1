/** `--patchset FILE --all` for cls and limit: the whole signal grid in one call (stats/grid on worker threads). */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { HepflowError } from "../../util/index.js";
import { printJson } from "../json.js";
import { progressPrinter } from "../progress.js";
import { fmt, numberOption, table } from "./stats-options.js";

export interface GridCliOptions {
  patchset?: string;
  all?: boolean;
  workers?: string;
  json?: boolean;
}

/** Add the grid options to a command. */
export function addGridOptions(cmd: Command): Command {
  return cmd
    .option("--patchset <file>", "pyhf patchset whose patches are the signal points of a grid (with --all)")
    .option("--all", "run every patch of --patchset (all cores) and print one table")
    .option("--grid-workers <n>", "worker threads for --all (default: all cores)");
}

/** True when the command should run the grid; checks the option combination. */
export function wantsGrid(o: GridCliOptions): boolean {
  if (o.all && !o.patchset) throw new HepflowError("CLI_USAGE", "--all needs --patchset FILE");
  if (o.patchset && !o.all) throw new HepflowError("CLI_USAGE", "--patchset runs a grid only with --all (for one point use --patch FILE#NAME)");
  return Boolean(o.all);
}

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new HepflowError("FILE_NOT_FOUND", `cannot read the ${what} ${file}: ${(e as Error).message}`, { file });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new HepflowError("JSON_INVALID", `the ${what} ${file} is not valid JSON: ${(e as Error).message}`, { file });
  }
}

/** Run the grid for `hepflow cls|limit BKG --patchset P --all` and print it. */
export async function runGridCommand(workspaceFile: string, o: GridCliOptions & { gridWorkers?: string }, settings: { mu: number; limits: boolean; testStat: "q" | "qtilde"; cl: number }): Promise<void> {
  const { runGrid, validateAgainst, PATCHSET_SCHEMA } = await import("../../stats/index.js");
  const background = readJson(workspaceFile, "workspace") as never;
  const patchset = readJson(o.patchset!, "patchset");
  validateAgainst(PATCHSET_SCHEMA, patchset, "PATCH_INVALID", "patchset", o.patchset!);
  const workers = o.gridWorkers === undefined ? undefined : numberOption("--grid-workers", o.gridWorkers, 1);
  const progress = progressPrinter();
  const rows = await runGrid(background, patchset as never, { mu: settings.mu, limits: settings.limits, testStat: settings.testStat, cl: settings.cl, workers, onProgress: progress });
  progress.end();
  if (o.json) {
    printJson({ mu: settings.mu, cl: settings.cl, points: rows });
    return;
  }
  const head = ["patch", "values", "CLs obs", "CLs exp median", "-1σ", "+1σ", ...(settings.limits ? ["UL obs", "UL exp"] : [])];
  const body = rows.map((r) => [r.name, JSON.stringify(r.values), r.CLs_obs, r.CLs_exp[2], r.CLs_exp[1], r.CLs_exp[3], ...(settings.limits ? [r.upper_limit_obs!, r.upper_limit_exp![2]] : [])]);
  process.stdout.write(`${table(head, body)}\n${rows.filter((r) => !r.converged).length} of ${rows.length} points with unconverged fits\n`);
  void fmt;
}
