/**
 * The function-style API over one process-wide store (MLflow's fluent style):
 * `const run = startRun({experimentName: "agc"}); logParams(run.runId, {...}); endRun(run.runId)`.
 */
import { TrackingStore, trackingDir, type Run, type RunInfo, type RunStatus, type SearchOptions, type StartRunOptions, type ArtifactEntry } from "./store.js";

const stores = new Map<string, TrackingStore>();

/** The store for a folder (default: HEPFLOW_TRACKING_DIR or ./hepflow-runs), opened once per process. */
export function openStore(dir?: string): TrackingStore {
  const root = trackingDir(dir);
  let s = stores.get(root);
  if (!s) {
    s = new TrackingStore(root);
    stores.set(root, s);
  }
  return s;
}

/** Closes every store this process opened (tests, long-lived servers on shutdown). */
export function closeStores(): void {
  for (const s of stores.values()) s.close();
  stores.clear();
}

export function startRun(o: StartRunOptions & { dir?: string } = {}): RunInfo {
  return openStore(o.dir).startRun(o);
}
export function logParams(runId: string, params: Record<string, string | number | boolean>, dir?: string): void {
  openStore(dir).logParams(runId, params);
}
export function logMetrics(runId: string, metrics: Record<string, number>, o: { step?: number; timestamp?: number; dir?: string } = {}): void {
  openStore(o.dir).logMetrics(runId, metrics, o);
}
export function logArtifact(runId: string, file: string | Uint8Array, artifactPath?: string, dir?: string): ArtifactEntry {
  return openStore(dir).logArtifact(runId, file, artifactPath);
}
export function setTags(runId: string, tags: Record<string, string>, dir?: string): void {
  openStore(dir).setTags(runId, tags);
}
export function endRun(runId: string, status: RunStatus = "FINISHED", dir?: string): RunInfo {
  return openStore(dir).endRun(runId, status);
}
export function searchRuns(o: SearchOptions & { dir?: string } = {}): Run[] {
  return openStore(o.dir).searchRuns(o);
}
