import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Every test writes its scratch files under one private TMPDIR that is removed at the end, so a
 * run leaves nothing behind (tests that forget to clean up, or crash before they can, included).
 */
export default function setup(): () => void {
  const previous = process.env.TMPDIR;
  const dir = mkdtempSync(join(tmpdir(), "hepflow-tests-"));
  process.env.TMPDIR = dir;
  // commands that autolog (the demo does by default) record their runs here, not in ./hepflow-runs
  const previousTracking = process.env.HEPFLOW_TRACKING_DIR;
  process.env.HEPFLOW_TRACKING_DIR = join(dir, "hepflow-runs");
  return () => {
    if (previousTracking === undefined) delete process.env.HEPFLOW_TRACKING_DIR;
    else process.env.HEPFLOW_TRACKING_DIR = previousTracking;
    rmSync(dir, { recursive: true, force: true });
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
  };
}
