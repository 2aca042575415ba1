import { prepareOutput, type OutputDir } from "../util/index.js";

/**
 * The demo's output directory under hepflow's one output rule (util/output.ts): a non-empty
 * directory is refused unless `force`; with `force` the old one is set aside and deleted only
 * when the new run commits, so no file of an earlier run survives beside the new report.
 */
export function prepareOutputDir(dir: string, force = false): OutputDir {
  return prepareOutput(dir, { force });
}
