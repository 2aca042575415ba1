/** `hepflow runs ls|show|compare|diff|rm|restore|artifacts|export|import`: the tracked-run store from the command line. */
import type { Command } from "commander";
import { HepflowError } from "../../util/index.js";

const collect = (v: string, acc: string[]) => [...acc, v];
const trackingOption = (c: Command) => c.option("--tracking-dir <dir>", "run store folder (default: $HEPFLOW_TRACKING_DIR or ./hepflow-runs)");

async function store(dir?: string) {
  const t = await import("../../tracking/index.js");
  return t.openStore(dir);
}

export function register(program: Command): void {
  const runs = program.command("runs").description("list, inspect, compare and move tracked runs (MLflow-compatible store)");

  trackingOption(
    runs
      .command("ls")
      .description("list runs: newest first, or as --order-by says")
      .option("-e, --experiment <name>", "only this experiment (name or id)")
      .option("--filter <expr>", "MLflow filter, e.g. \"metrics.unc < 0.1 and params.num_bins = '25'\"")
      .option("--order-by <key>", "sort key, e.g. 'metrics.unc ASC' (repeatable)", collect, [] as string[])
      .option("--columns <list>", "comma-separated columns: id,name,status,start_time,duration,parent, params.X, metrics.Y, tags.Z")
      .option("-n, --max <n>", "at most N runs", "100")
      .option("--parent <run>", "only the children of this run (a search's trials)")
      .option("--deleted", "list deleted runs instead")
      .option("--all", "list active and deleted runs")
      .option("--json", "print JSON"),
  ).action(async (o: { experiment?: string; filter?: string; orderBy: string[]; columns?: string; max: string; parent?: string; deleted?: boolean; all?: boolean; json?: boolean; trackingDir?: string }) => {
    const s = await store(o.trackingDir);
    const { textTable, column } = await import("../../tracking/format.js");
    const max = Number(o.max);
    if (!Number.isInteger(max) || max < 1) throw new HepflowError("CLI_OPTION", `--max must be a positive integer (got "${o.max}")`);
    let experimentIds: string[] | undefined;
    if (o.experiment) {
      const e = s.getExperimentByName(o.experiment) ?? s.listExperiments("ALL").find((x) => x.experimentId === o.experiment);
      if (!e) throw new HepflowError("RESOURCE_DOES_NOT_EXIST", `no experiment "${o.experiment}" in ${s.root}`);
      experimentIds = [e.experimentId];
    }
    let filter = o.filter;
    if (o.parent) filter = [filter, `tags.\`mlflow.parentRunId\` = '${s.resolveRunId(o.parent)}'`].filter(Boolean).join(" and ");
    const found = s.searchRuns({ experimentIds, filter, orderBy: o.orderBy, maxResults: max, viewType: o.all ? "ALL" : o.deleted ? "DELETED_ONLY" : "ACTIVE_ONLY" });
    if (o.json) {
      process.stdout.write(JSON.stringify(found, null, 2) + "\n");
      return;
    }
    const cols = (o.columns ?? "id,name,status,start_time,duration,parent")
      .split(",")
      .map((c) => c.trim())
      .filter(Boolean);
    process.stdout.write(
      textTable(
        cols,
        found.map((r) => cols.map((c) => column(r, c))),
      ) + `\n${found.length} run(s) in ${s.root}\n`,
    );
  });

  trackingOption(runs.command("show <run>").description("one run: provenance, params, latest metrics, tags, artifacts, inputs, children").option("--json", "print JSON")).action(
    async (id: string, o: { json?: boolean; trackingDir?: string }) => {
      const s = await store(o.trackingDir);
      const r = s.getRun(s.resolveRunId(id));
      if (o.json) {
        process.stdout.write(JSON.stringify({ ...r, artifacts: s.listArtifacts(r.info.runId), inputs: s.listInputs(r.info.runId), children: s.children(r.info.runId).map((c) => c.runId) }, null, 2) + "\n");
        return;
      }
      const { describeRun } = await import("../../tracking/format.js");
      process.stdout.write(describeRun(s, r) + "\n");
    },
  );

  trackingOption(
    runs
      .command("compare <runs...>")
      .description("params and latest metrics of several runs side by side; --plot draws metric histories")
      .option("--plot <file>", "write a plot (.svg/.png/.json) of each run's history of --metric")
      .option("--metric <key>", "metric to plot (default: the first metric the runs share)")
      .option("--json", "print JSON"),
  ).action(async (ids: string[], o: { plot?: string; metric?: string; json?: boolean; trackingDir?: string }) => {
    const s = await store(o.trackingDir);
    const { textTable } = await import("../../tracking/format.js");
    const rs = ids.map((i) => s.getRun(s.resolveRunId(i)));
    const paramKeys = [...new Set(rs.flatMap((r) => Object.keys(r.params)))].sort();
    const metricKeys = [...new Set(rs.flatMap((r) => Object.keys(r.metrics)))].sort();
    if (o.json) {
      process.stdout.write(
        JSON.stringify(
          { runs: rs.map((r) => r.info.runId), params: Object.fromEntries(paramKeys.map((k) => [k, rs.map((r) => r.params[k] ?? null)])), metrics: Object.fromEntries(metricKeys.map((k) => [k, rs.map((r) => r.metrics[k]?.value ?? null)])) },
          null,
          2,
        ) + "\n",
      );
    } else {
      const header = ["", ...rs.map((r) => `${r.info.runId.slice(0, 8)} ${r.info.runName}`)];
      const rows = [...paramKeys.map((k) => [`params.${k}`, ...rs.map((r) => r.params[k])]), ...metricKeys.map((k) => [`metrics.${k}`, ...rs.map((r) => r.metrics[k]?.value)])];
      process.stdout.write(textTable(header, rows) + "\n");
    }
    if (o.plot) {
      const key = o.metric ?? metricKeys.find((k) => rs.every((r) => k in r.metrics));
      if (!key) throw new HepflowError("CLI_OPTION", "the runs share no metric to plot; name one with --metric");
      const { metricHistoryPlot } = await import("../../tracking/plots.js");
      const { writePlot } = await import("../../plot/index.js");
      const series = rs.flatMap((r) => s.metricHistory(r.info.runId, key).map((m) => ({ run: `${r.info.runId.slice(0, 8)} ${r.info.runName}`, step: m.step, value: m.value })));
      await writePlot(metricHistoryPlot(series, key), o.plot);
      process.stderr.write(`wrote ${o.plot}\n`);
    }
  });

  trackingOption(runs.command("diff <a> <b>").description("what differs between two runs: params, latest metrics, tags, artifact contents").option("--json", "print JSON")).action(
    async (a: string, b: string, o: { json?: boolean; trackingDir?: string }) => {
      const s = await store(o.trackingDir);
      const ra = s.getRun(s.resolveRunId(a)),
        rb = s.getRun(s.resolveRunId(b));
      const rows: Array<[string, unknown, unknown]> = [];
      const cmp = (prefix: string, x: Record<string, unknown>, y: Record<string, unknown>, skip?: RegExp) => {
        for (const k of [...new Set([...Object.keys(x), ...Object.keys(y)])].sort()) {
          if (skip?.test(k)) continue;
          const vx = x[k],
            vy = y[k];
          if (!(vx === vy || (typeof vx === "number" && typeof vy === "number" && Number.isNaN(vx) && Number.isNaN(vy)))) rows.push([`${prefix}.${k}`, vx, vy]);
        }
      };
      cmp("params", ra.params, rb.params);
      cmp("metrics", Object.fromEntries(Object.values(ra.metrics).map((m) => [m.key, m.value])), Object.fromEntries(Object.values(rb.metrics).map((m) => [m.key, m.value])));
      // run-specific system tags (names, ids, times) always differ; user tags and the git state are what matter
      cmp("tags", ra.tags, rb.tags, /^mlflow\.(runName|parentRunId|source\.name|user)$/);
      const arts = (id: string) => Object.fromEntries(s.listArtifacts(id).map((x) => [x.path, `sha256:${x.digest.slice(0, 12)}`]));
      cmp("artifacts", arts(ra.info.runId), arts(rb.info.runId));
      if (o.json) {
        process.stdout.write(
          JSON.stringify(
            rows.map(([key, x, y]) => ({ key, a: x ?? null, b: y ?? null })),
            null,
            2,
          ) + "\n",
        );
        return;
      }
      const { textTable } = await import("../../tracking/format.js");
      process.stdout.write(rows.length ? textTable(["", `${ra.info.runId.slice(0, 8)} ${ra.info.runName}`, `${rb.info.runId.slice(0, 8)} ${rb.info.runName}`], rows) + "\n" : "no differences in params, metrics, tags or artifacts\n");
    },
  );

  trackingOption(runs.command("rm <runs...>").description("mark runs (and their children) deleted; `runs restore` brings them back")).action(async (ids: string[], o: { trackingDir?: string }) => {
    const s = await store(o.trackingDir);
    for (const i of ids) {
      const id = s.resolveRunId(i);
      s.deleteRun(id);
      process.stdout.write(`deleted ${id}\n`);
    }
  });
  trackingOption(runs.command("restore <runs...>").description("restore deleted runs (and their children)")).action(async (ids: string[], o: { trackingDir?: string }) => {
    const s = await store(o.trackingDir);
    for (const i of ids) {
      const id = s.resolveRunId(i);
      s.restoreRun(id);
      process.stdout.write(`restored ${id}\n`);
    }
  });

  trackingOption(
    runs
      .command("artifacts <run>")
      .description("list a run's artifacts, or copy them out with --get")
      .option("--get <path>", "copy this artifact (or every artifact under this folder; '.' = all)")
      .option("--out <dir>", "where --get writes", ".")
      .option("--force", "overwrite existing files"),
  ).action(async (id: string, o: { get?: string; out: string; force?: boolean; trackingDir?: string }) => {
    const s = await store(o.trackingDir);
    const runId = s.resolveRunId(id);
    const all = s.listArtifacts(runId);
    if (!o.get) {
      const { textTable } = await import("../../tracking/format.js");
      process.stdout.write(
        textTable(
          ["path", "bytes", "sha256"],
          all.map((a) => [a.path, a.size, a.digest]),
        ) + "\n",
      );
      return;
    }
    const { existsSync } = await import("node:fs");
    const path = await import("node:path");
    const sel = o.get === "." ? all : all.filter((a) => a.path === o.get || a.path.startsWith(o.get!.replace(/\/+$/, "") + "/"));
    if (!sel.length) throw new HepflowError("RESOURCE_DOES_NOT_EXIST", `run ${runId} has no artifact "${o.get}"`);
    for (const a of sel) {
      const dest = path.join(o.out, a.path);
      if (existsSync(dest) && !o.force) throw new HepflowError("OUTPUT_EXISTS", "exists; pass --force to overwrite", { file: dest });
      s.downloadArtifact(runId, a.path, dest);
      process.stdout.write(`wrote ${dest}\n`);
    }
  });

  trackingOption(
    runs
      .command("export [runs...]")
      .description("write runs (default: all) as an MLflow file store, readable by `mlflow ui --backend-store-uri DIR`")
      .requiredOption("--mlflow <dir>", "the mlruns folder to write")
      .option("--force", "overwrite experiments already in DIR"),
  ).action(async (ids: string[], o: { mlflow: string; force?: boolean; trackingDir?: string }) => {
    const s = await store(o.trackingDir);
    const { exportMlflow } = await import("../../tracking/index.js");
    const r = exportMlflow(s, o.mlflow, { runIds: ids.length ? ids.map((i) => s.resolveRunId(i)) : undefined, force: o.force });
    process.stdout.write(`exported ${r.runs} run(s) of ${r.experiments} experiment(s): ${r.metrics} metric values, ${r.artifacts} artifact(s) → ${o.mlflow}\n`);
  });

  trackingOption(runs.command("import <dir>").description("read an MLflow file store (an mlruns folder, or a folder holding one) into the run store")).action(async (dir: string, o: { trackingDir?: string }) => {
    const s = await store(o.trackingDir);
    const { importMlflow } = await import("../../tracking/index.js");
    const r = importMlflow(s, dir);
    process.stdout.write(`imported ${r.runs} run(s), ${r.metrics} metric values, ${r.artifacts} artifact(s); ${r.experiments} new experiment(s)${r.skipped.length ? `; skipped ${r.skipped.length} run(s) already in the store` : ""}\n`);
  });
}
