/** The --track / --no-track pair of autologged commands, and the one call that logs a command's record. */
import type { Command } from "commander";
import type { AutologRecord } from "../../tracking/index.js";

/** Adds --track and --no-track (neither given: the command's default). */
export function trackOptions(c: Command): Command {
  return c.option("--track", "record this command as a tracked run (./hepflow-runs or $HEPFLOW_TRACKING_DIR)").option("--no-track", "do not record a tracked run");
}

/** Logs the command's record when tracking is on; loads the run store only then. */
export async function track(rec: AutologRecord, flag: boolean | undefined, defaultOn = false): Promise<void> {
  if (flag === false || (!process.env.HEPFLOW_RUN_ID && !(flag ?? defaultOn))) return;
  const { autolog } = await import("../../tracking/index.js");
  autolog(rec, flag, defaultOn);
}
