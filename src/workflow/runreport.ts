/**
 * The HTML report of a workflow run, made from its step records (state.json): the stage table,
 * timings and commands are what ran, not a list kept beside the code; PNG results become figures.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import type { RunState } from "./yadage/engine.js";
import { stepState } from "./yadage/graph.js";
import { hepflowVersion, sha256File } from "./provenance.js";
import { renderReport, type ReportInput, type ReportTable } from "./report.js";

/** Every string leaf of a JSON value. */
const leaves = (v: unknown, out: string[] = []): string[] => {
  if (typeof v === "string") out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => leaves(x, out));
  else if (v && typeof v === "object") Object.values(v).forEach((x) => leaves(x, out));
  return out;
};

/** Report of the run in `rundir`, written to be saved at `reportFile` (figure paths are relative to it). */
export async function runReportHtml(state: RunState, rundir: string, reportFile: string, extra: { title?: string; tables?: ReportTable[] } = {}): Promise<string> {
  const steps = Object.values(state.steps).filter((s) => !s.init);
  const reportDir = path.dirname(path.resolve(reportFile));
  const pngs = [...new Set(steps.flatMap((s) => leaves(s.result)).filter((f) => /\.png$/i.test(f) && existsSync(f)))];
  const done = steps.filter((s) => s.status === "done");
  const input: ReportInput = {
    title: extra.title ?? `Workflow run: ${path.basename(state.spec)}`,
    summary: `${steps.length} steps of ${state.spec} (${state.status}); ${done.filter((s) => s.reused === "cache").length} served from the step cache, ${done.filter((s) => s.reused === "resume").length} kept from an earlier attempt.`,
    headline: [
      ["status", state.status],
      ["steps", `${done.length}/${steps.length} done`],
      ["step time", `${steps.reduce((a, s) => a + (s.seconds ?? 0), 0).toFixed(2)} s`],
    ],
    stages: steps.map((s) => ({ name: `${s.id} (${stepState(s)})`, seconds: s.seconds ?? 0 })),
    tables: [
      { title: "Steps", columns: ["step", "state", "seconds", "work directory", "outputs"], rows: steps.map((s) => [s.id, stepState(s), (s.seconds ?? 0).toFixed(3), s.workdir, JSON.stringify(s.result ?? null).slice(0, 160)]) },
      ...(extra.tables ?? []),
    ],
    plots: pngs.map((f) => ({ title: path.relative(rundir, f), file: path.relative(reportDir, f) })),
    provenance: [
      ["hepflow version", hepflowVersion()],
      ["Node.js", process.version],
      [`workflow (sha256)`, `${existsSync(state.spec) ? await sha256File(state.spec) : "missing"}  ${state.spec}`],
      ["init parameters", JSON.stringify(state.init)],
      ["started", state.started],
      ["updated", state.updated],
    ],
    commands: steps.filter((s) => s.command).map((s) => `# ${s.id}\n${s.command}`),
  };
  return renderReport(input);
}
