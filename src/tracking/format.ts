/** Plain-text tables and run views for the `hepflow runs` commands. */
import type { Run, TrackingStore } from "./store.js";

/** Numbers with up to 6 significant digits; strings as they are. */
export function cell(v: unknown): string {
  if (v === undefined || v === null) return "-";
  if (typeof v === "number") return Number.isInteger(v) && Math.abs(v) < 1e15 ? String(v) : Number.isFinite(v) ? String(+v.toPrecision(6)) : String(v);
  return String(v);
}

/** A left-aligned text table with a header rule. */
export function textTable(header: string[], rows: unknown[][]): string {
  // long values (JSON tags) are cut so a table stays readable; `runs show --json` has them whole
  const cut = (t: string) => (t.length > 60 ? t.slice(0, 59) + "…" : t);
  const cells = [header, ...rows.map((r) => r.map((v) => cut(cell(v))))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (c ?? "").padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n");
}

/** Resolves `metrics.x`, `params.y`, `tags.z` or an attribute name to a run's value (for `--columns`). */
export function column(r: Run, spec: string): unknown {
  const dot = spec.indexOf(".");
  const kind = dot > 0 ? spec.slice(0, dot) : "";
  const key = dot > 0 ? spec.slice(dot + 1) : spec;
  if (kind === "metrics" || kind === "metric") return r.metrics[key]?.value;
  if (kind === "params" || kind === "param") return r.params[key];
  if (kind === "tags" || kind === "tag") return r.tags[key];
  const a: Record<string, unknown> = {
    run_id: r.info.runId,
    id: r.info.runId.slice(0, 8),
    name: r.info.runName,
    run_name: r.info.runName,
    status: r.info.status,
    experiment_id: r.info.experimentId,
    user_id: r.info.userId,
    start_time: new Date(r.info.startTime).toISOString().replace(/\.\d+Z$/, "Z"),
    duration: r.info.endTime !== null ? `${((r.info.endTime - r.info.startTime) / 1000).toFixed(1)} s` : "-",
    parent: r.info.parentRunId?.slice(0, 8) ?? "",
    source: r.info.source,
  };
  return a[key];
}

const SYSTEM_TAG = /^(mlflow\.|hepflow\.)/;

/** A multi-section description of one run: attributes, params, metrics, tags, artifacts, inputs, children. */
export function describeRun(store: TrackingStore, r: Run): string {
  const i = r.info;
  const out: string[] = [];
  const kv = (rows: Array<[string, unknown]>) => rows.map(([k, v]) => `  ${k.padEnd(18)} ${cell(v)}`).join("\n");
  out.push(`run ${i.runId}  (${i.runName})`);
  out.push(
    kv([
      ["experiment", `${i.experimentId} (${store.getExperiment(i.experimentId).name})`],
      ["status", i.status],
      ["start", new Date(i.startTime).toISOString()],
      ["end", i.endTime !== null ? new Date(i.endTime).toISOString() : "-"],
      ["user", i.userId],
      ["source", i.source],
      ["git commit", i.gitCommit ? `${i.gitCommit}${i.gitDirty ? " (dirty)" : ""}` : "-"],
      ["hepflow", i.hepflowVersion || "-"],
      ["parent", i.parentRunId ?? "-"],
      ["lifecycle", i.lifecycleStage],
    ]),
  );
  const params = Object.entries(r.params).sort();
  if (params.length) out.push("params", kv(params));
  const metrics = Object.values(r.metrics).sort((a, b) => (a.key < b.key ? -1 : 1));
  if (metrics.length) out.push("metrics (latest)", kv(metrics.map((m) => [m.key, m.step ? `${cell(m.value)}  (step ${m.step})` : m.value])));
  const tags = Object.entries(r.tags)
    .filter(([k]) => !SYSTEM_TAG.test(k))
    .sort();
  if (tags.length) out.push("tags", kv(tags));
  const arts = store.listArtifacts(i.runId);
  if (arts.length) out.push("artifacts", arts.map((a) => `  ${a.path.padEnd(40)} ${String(a.size).padStart(10)} B  sha256:${a.digest.slice(0, 12)}`).join("\n"));
  const inputs = store.listInputs(i.runId);
  if (inputs.length) out.push("inputs", inputs.map((a) => `  ${a.path}  ${a.size} B  sha256:${a.digest.slice(0, 12)}`).join("\n"));
  const kids = store.children(i.runId);
  if (kids.length)
    out.push(
      `children (${kids.length})`,
      kids
        .slice(0, 50)
        .map((k) => `  ${k.runId.slice(0, 8)}  ${k.runName}  ${k.status}`)
        .join("\n") + (kids.length > 50 ? `\n  … ${kids.length - 50} more` : ""),
    );
  return out.join("\n");
}
