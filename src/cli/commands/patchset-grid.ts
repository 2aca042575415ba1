/**
 * `hepflow patchset make|contour` (registered by patchset.ts beside extract|apply|inspect|verify):
 * the two ends of a signal grid. `make` turns loose RFC 6902
 * signal patches (as published on HEPData, one file per mass point) into a pyhf patchset, with
 * each point's values read from its file name; `contour` takes the tables of
 * `hepflow cls BKG --patchset P --all --json` (one or several, e.g. from the steps of a
 * multistep workflow stage) and writes the merged grid table and the exclusion-contour plot.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import type { ExpectedBand } from "../../stats/index.js";
import { HepflowError, claimOutputFile, writeOutputFile } from "../../util/index.js";
import { stringifyJson } from "../json.js";
import { table } from "./stats-options.js";

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new HepflowError("FILE_NOT_FOUND", `cannot read the ${what}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { file });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new HepflowError("JSON_INVALID", `the ${what} is not valid JSON: ${(e as Error).message}`, { file });
  }
}

/** A grid row as `cls --all --json` writes it. */
interface Row {
  name: string;
  values: unknown[];
  CLs_obs: number;
  CLs_exp: ExpectedBand;
  upper_limit_obs?: number | null;
  upper_limit_exp?: number[] | null;
  converged?: boolean;
}

/** A point of a grid table read from `file`, checked: its values and its five expected CLs. */
function checkedRow(p: unknown, file: string, k: number): Row {
  const r = p as Partial<Row> | null;
  const bad = (what: string) => new HepflowError("GRID_INVALID", `point ${k} ${what}`, { file, object: `points[${k}]` });
  if (typeof r !== "object" || r === null) throw bad("is not an object");
  if (!Array.isArray(r.values)) throw bad("has no values array");
  if (!Array.isArray(r.CLs_exp) || r.CLs_exp.length !== 5) throw bad("needs CLs_exp with five values (−2σ … +2σ)");
  return r as Row;
}

/** Adds `make` and `contour` to the `patchset` command. */
export function registerGridCommands(ps: Command): void {
  ps.command("make <patches...>")
    .description("a pyhf patchset from RFC 6902 patch files; the numbers in each file name are the point's values")
    .requiredOption("-o, --output <file>", "patchset JSON to write")
    .option("--labels <names>", "comma-separated names of the values (e.g. m_sbottom,m_chi2,m_chi1)")
    .option("--name-pattern <regex>", "regular expression whose groups are the values (default: every number in the file name)")
    .option("--description <text>", "patchset description", "signal patches")
    .option("--force", "replace an existing output")
    .action((patches: string[], o: { output: string; labels?: string; namePattern?: string; description: string; force?: boolean }) => {
      claimOutputFile(o.output, { force: o.force, inputs: patches });
      const re = o.namePattern ? new RegExp(o.namePattern) : undefined;
      const points = patches.map((file) => {
        const stem = path
          .basename(file)
          .replace(/\.json$/i, "")
          .replace(/^patch\./, "");
        const groups = re ? re.exec(stem)?.slice(1) : (stem.match(/\d+(?:\.\d+)?/g) ?? undefined);
        if (!groups?.length) throw new HepflowError("PATCH_NAME", `no values in the file name${re ? ` (pattern ${re.source})` : ""}`, { file });
        const patch = readJson(file, "patch");
        if (!Array.isArray(patch)) throw new HepflowError("PATCH_INVALID", "a patch file must hold a JSON array of RFC 6902 operations", { file });
        return { metadata: { name: stem, values: groups.map(Number) }, patch };
      });
      const n = points[0]?.metadata.values.length ?? 0;
      for (const [p, file] of points.map((p, i) => [p, patches[i]] as const)) {
        if (p.metadata.values.length !== n) throw new HepflowError("PATCH_NAME", `${p.metadata.values.length} values in the name, the first patch has ${n}`, { file });
      }
      const labels = o.labels ? o.labels.split(",") : Array.from({ length: n }, (_, i) => `value${i}`);
      if (labels.length !== n) throw new HepflowError("CLI_USAGE", `--labels names ${labels.length} values, the file names hold ${n}`);
      const set = { metadata: { name: path.basename(o.output, ".json"), description: o.description, labels, digests: {}, references: {} }, patches: points, version: "1.0.0" };
      writeOutputFile(o.output, stringifyJson(set, 0) + "\n", { force: o.force, inputs: patches });
      process.stdout.write(`${o.output}: ${points.length} patches, values ${labels.join(", ")}\n`);
    });

  ps.command("contour <grids...>")
    .description("merge grid tables (cls --patchset P --all --json) into one table and draw the exclusion contours")
    .requiredOption("-o, --output <file>", "plot (.png, .svg or .vl.json)")
    .option("--table <file>", "also write the merged grid as a text table")
    .option("--json <file>", "also write the merged grid as JSON")
    .option("--x <index>", "index of the value on the x axis", "0")
    .option("--y <index>", "index of the value on the y axis", "1")
    .option("--x-title <text>", "x-axis title")
    .option("--y-title <text>", "y-axis title")
    .option("--title <text>", "plot title")
    .option("--cl <level>", "confidence level of the contours", "0.95")
    .option("--force", "replace existing outputs")
    .action(async (grids: string[], o: { output: string; table?: string; json?: string; x: string; y: string; xTitle?: string; yTitle?: string; title?: string; cl: string; force?: boolean }) => {
      const outputs = [o.output, o.table, o.json].filter((f): f is string => f !== undefined);
      for (const f of outputs) claimOutputFile(f, { force: o.force, inputs: grids });
      const rows: Row[] = [];
      let mu: unknown;
      for (const g of grids) {
        const doc = readJson(g, "grid table") as { mu?: unknown; points?: Row[] };
        if (!Array.isArray(doc.points)) throw new HepflowError("GRID_INVALID", "not a grid table: no points (write it with `hepflow cls BKG --patchset P --all --json`)", { file: g });
        if (mu !== undefined && doc.mu !== mu) throw new HepflowError("GRID_INVALID", `tested at mu = ${String(doc.mu)}, the first table at mu = ${String(mu)}`, { file: g });
        mu = doc.mu;
        rows.push(...doc.points.map((p, k) => checkedRow(p, g, k)));
      }
      const xi = Number(o.x),
        yi = Number(o.y),
        cl = Number(o.cl);
      for (const r of rows) {
        if (!Number.isInteger(xi) || !Number.isInteger(yi) || xi < 0 || yi < 0 || !(r.values.length > Math.max(xi, yi)))
          throw new HepflowError("CLI_BAD_OPTION", `--x ${o.x} --y ${o.y}: point "${r.name}" has ${r.values.length} values (indices start at 0)`);
      }
      const { exclusionPlot, writePlot } = await import("../../plot/index.js");
      const points = rows.map((r) => ({ x: Number(r.values[xi]), y: Number(r.values[yi]), clsObs: Number(r.CLs_obs), clsExp: r.CLs_exp.map(Number) }));
      await writePlot(exclusionPlot(points, { xTitle: o.xTitle ?? `value ${xi}`, yTitle: o.yTitle ?? `value ${yi}`, title: o.title, cl }), o.output);
      const excluded = rows.filter((r) => r.CLs_obs < 1 - cl).length;
      if (o.table) {
        const head = ["point", "values", "CLs obs", "CLs exp", "-1σ", "+1σ", "excluded"];
        const body = rows.map((r) => [r.name, r.values.join(" "), r.CLs_obs, r.CLs_exp[2], r.CLs_exp[1], r.CLs_exp[3], r.CLs_obs < 1 - cl ? "yes" : "no"]);
        writeOutputFile(o.table, `${table(head, body)}\n${excluded} of ${rows.length} points excluded at ${cl * 100}% CL (CLs, mu = ${String(mu)})\n`, { force: o.force });
      }
      if (o.json) writeOutputFile(o.json, stringifyJson({ mu, cl, excluded, points: rows }) + "\n", { force: o.force });
      process.stdout.write(`${o.output}: ${rows.length} points, ${excluded} excluded at ${cl * 100}% CL\n`);
    });
}
