/** Options and helpers shared by the inference commands (inspect, fit, cls, limit, significance, …). */
import { existsSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { HepflowError, valueWithUncertainty } from "../../util/index.js";

export { valueWithUncertainty };
import type { FitOptions, Model, ModifierSettings, Workspace } from "../../stats/index.js";
import { stringifyJson } from "../json.js";
import { explainBadYields } from "../../stats/diagnose.js";

/** Parsed common options. */
export interface ModelCliOptions {
  patch: string[];
  measurement?: string;
  normsysInterp?: string;
  histosysInterp?: string;
  mass?: string;
  fix: string[];
  poi?: string;
  json?: boolean;
  outputFile?: string;
  backend?: string;
  optimizer?: string;
  optconf: string[];
}

const collect = (value: string, previous: string[]) => previous.concat([value]);

/**
 * Add the options every inference command takes. pyhf's names are the primary ones (`-p/--patch`,
 * `--measurement`, `--output-file`); `--backend`, `--optimizer` and `--optconf` are accepted so
 * that a pyhf command line runs unchanged, and ignored with a note (hepflow has one backend and
 * one minimiser).
 */
export function addModelOptions(cmd: Command): Command {
  return cmd
    .option("-p, --patch <file>", "JSON patch (or patchset.json#name) applied to the workspace; repeatable, applied in order", collect, [])
    .option("--measurement <name>", "measurement to use (default: the first)")
    .option("--poi <name>", "parameter of interest, overriding the measurement's (a model whose POI is absent, e.g. background-only, has none)")
    .option("--normsys-interp <code>", "normsys interpolation: code1 | code4 | combine (default code4; Combine datacards: combine, Combine's lnN)")
    .option("--histosys-interp <code>", "histosys interpolation: code0 | code2 | code4p (default code4p)")
    .option("--mass <value>", "Combine datacards: the value of $MASS in shapes lines (combine -m; default 120)")
    .option("--fix <name=value>", "fix a parameter at a value (pyhf name, e.g. lumi or gamma[2]); repeatable", collect, [])
    .option("--json", "machine-readable JSON output on stdout")
    .option("--output-file <file>", "write the JSON result to this file (pyhf's option; implies JSON)")
    .option("--force", "replace an existing --output-file")
    .option("--backend <name>", "accepted for pyhf compatibility and ignored (hepflow has one float64 backend)")
    .option("--optimizer <name>", "accepted for pyhf compatibility and ignored (hepflow has one bounded quasi-Newton minimiser)")
    .option("--optconf <key=value>", "accepted for pyhf compatibility and ignored; repeatable", collect, []);
}

/** Tell the user on stderr about pyhf options that have no effect here. */
function noteIgnored(o: ModelCliOptions): void {
  const ignored = [o.backend !== undefined && `--backend ${o.backend}`, o.optimizer !== undefined && `--optimizer ${o.optimizer}`, ...o.optconf.map((c) => `--optconf ${c}`)].filter(Boolean);
  if (ignored.length) process.stderr.write(`hepflow: note: ${ignored.join(", ")} ignored (pyhf options without a counterpart here; see docs/stats.md)\n`);
}

/**
 * Workspace, model, observed data and fit options from the command line. `needsPoi: false` (inspect,
 * fit, yields, gof) builds a model without POI when the measurement's POI is not a parameter of
 * the model, as for a background-only workspace; `--poi` overrides the measurement's POI.
 */
export async function loadModel(file: string, o: ModelCliOptions, { needsPoi = true }: { needsPoi?: boolean } = {}): Promise<{ ws: Workspace; model: Model; data: Float64Array; fitOptions: FitOptions }> {
  noteIgnored(o);
  const { loadWorkspace, readDatacard, isDatacard, Workspace } = await import("../../stats/index.js");
  // a Combine datacard is read into a workspace with Combine's interpolation (lnN = AsymPow)
  const card = isDatacard(file) ? await readDatacard(file, { mass: o.mass }) : undefined;
  if (card) for (const n of card.notes) process.stderr.write(`hepflow: note: ${n}\n`);
  const ws = card ? Workspace.fromJSON(card.workspace, { file }) : loadWorkspace(file, o.patch);
  if (card && o.patch.length) throw new HepflowError("CLI_USAGE", "--patch applies to JSON workspaces, not to datacards");
  const settings: ModifierSettings = {
    normsys: { interpcode: (o.normsysInterp ?? card?.modifierSettings.normsys?.interpcode ?? "code4") as "code1" | "code4" | "combine" },
    histosys: { interpcode: (o.histosysInterp ?? card?.modifierSettings.histosys?.interpcode ?? "code4p") as "code0" | "code2" | "code4p" },
  };
  let poiName: string | null | undefined = o.poi;
  if (poiName === undefined && !needsPoi) {
    const poi = ws.measurement(o.measurement).config.poi;
    const present = ws.spec.channels.some((c) => c.samples.some((s) => s.modifiers.some((m) => m.name === poi)));
    if (!present) {
      poiName = null;
      process.stderr.write(`hepflow: note: the measurement's POI "${poi}" is not a parameter of this model (background-only?); proceeding without a POI\n`);
    }
  }
  const model = ws.model({ measurement: o.measurement, modifierSettings: settings, poiName });
  const fixed: Record<string, number> = {};
  for (const f of o.fix) {
    const [, name, value] = /^(.+)=(.+)$/.exec(f) ?? [];
    const v = Number(value);
    if (name === undefined || value === undefined || !Number.isFinite(v)) throw new HepflowError("CLI_USAGE", `--fix expects NAME=VALUE with a number, got "${f}"`);
    model.config.parameterIndex(name);
    fixed[name] = v;
  }
  return { ws, model, data: ws.data(model), fitOptions: { fixed } };
}

/** The POI a command needs, or a usage error that says how to name one. */
export function requirePoi(model: Model, what: string): string {
  const poi = model.config.poiName;
  if (poi === null)
    throw new HepflowError("NO_POI", `${what} needs a parameter of interest, and this model has none; name one with --poi NAME (parameters: ${model.config.parameterNames.slice(0, 8).join(", ")}${model.config.npars > 8 ? ", …" : ""})`);
  return poi;
}

/**
 * Emit a JSON result: to `--output-file` if given (pyhf writes its result there and prints
 * nothing), else to stdout. Returns true when JSON was emitted, so text output is skipped.
 */
export function emitJson(o: { json?: boolean; outputFile?: string; force?: boolean }, value: unknown): boolean {
  if (o.outputFile !== undefined) {
    if (existsSync(o.outputFile) && !o.force) throw new HepflowError("OUTPUT_EXISTS", "the output file exists; pass --force to replace it", { file: o.outputFile });
    try {
      writeFileSync(o.outputFile, stringifyJson(value) + "\n");
    } catch (e) {
      throw new HepflowError("OUTPUT_ERROR", `cannot write the result (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { file: o.outputFile }, { cause: e });
    }
    return true;
  }
  if (o.json) {
    process.stdout.write(stringifyJson(value) + "\n");
    return true;
  }
  return false;
}

/** Parse a finite number option. */
export function numberOption(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const v = Number(value);
  if (!Number.isFinite(v)) throw new HepflowError("CLI_USAGE", `${name} expects a number, got "${value}"`);
  return v;
}

/** One cell of a text table; `undefined` (a value that was not computed) prints as "—". */
export type Cell = string | number | undefined;

/** A plain text table with aligned columns. */
export function table(header: string[], rows: Cell[][]): string {
  const body = rows.map((r) => r.map((c) => (typeof c === "number" ? fmt(c) : (c ?? "—"))));
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) => widths.map((w, i) => (i === 0 ? (r[i] ?? "").padEnd(w) : (r[i] ?? "").padStart(w))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}

/** Labels of the expected band, −2σ … +2σ, in the order pyhf's CLs_exp and the limit band use. */
export const BAND_LABELS = ["-2σ", "-1σ", "median", "+1σ", "+2σ"] as const;

/** Table rows of an expected band: one per value, named `label(σ)`. */
export function bandRows(label: (sigma: string) => string, band: ArrayLike<number>): Cell[][] {
  return Array.from(band, (v, i) => [label(BAND_LABELS[i] ?? `[${i}]`), v]);
}

/** Six significant digits, exponent form for tiny or huge values (text output; JSON keeps full precision). */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e6)) return v.toExponential(5);
  return v.toPrecision(6);
}

/** "value ± uncertainty", both rounded where the uncertainty's second significant digit falls. */
export function pm(value: number, uncertainty: number): string {
  return valueWithUncertainty(value, uncertainty).join(" ± ");
}

/** Tell the user on stderr that a result comes from fits that did not converge. */
export function warnUnconverged(what: string): void {
  process.stderr.write(`hepflow: WARNING: ${what} did not converge; the numbers below are not reliable\n`);
}

/**
 * Runs a computation whose failure on negative expected yields (MODEL_NEGATIVE_YIELD, raised
 * without knowing the workspace) should name the JSON path of the samples responsible.
 */
export async function locatingYields<T>(f: () => T | Promise<T>, located: { ws: Workspace; model: Model }): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof HepflowError && e.code === "MODEL_NEGATIVE_YIELD") failUnconverged(e.message, undefined, located);
    throw e;
  }
}

/**
 * A failed fit or a non-finite result is not a result: after the JSON (which records everything,
 * with `converged: false`) or the text has been written, the command exits non-zero with advice.
 */
export function failUnconverged(what: string, detail?: string, located?: { ws: Workspace; model: Model; pars?: ArrayLike<number> }): never {
  const where = located ? (explainBadYields(located.ws, located.model, located.pars) ?? (located.pars ? explainBadYields(located.ws, located.model) : null)) : null;
  throw new HepflowError(
    "FIT_FAILED",
    `${what}${detail ? ` (${detail})` : ""}${where ? `: ${where}` : ""}. Things to try: check the workspace for negative or zero expected yields (hepflow yields), ` +
      "fix or loosen the bounds of parameters that sit at a bound (--fix NAME=VALUE, or the measurement's bounds), " +
      "or prune modifiers with tiny effects (hepflow prune)",
  );
}

/** Parsed calculator options of cls and limit. */
export interface ToyCliOptions {
  calctype: string;
  calculator?: string;
  ntoys: string;
  toys?: string;
  seed: string;
  workers?: string;
}

/** --calctype asymptotics|toybased and the toy settings (--ntoys, --seed, --workers), as cls and limit take them. */
export function addToyOptions(cmd: Command): Command {
  return cmd
    .option("--calctype <name>", "asymptotics | toybased (pyhf's names; alias --calculator, which also takes toys)", "asymptotics")
    .option("--calculator <name>", "same as --calctype")
    .option("--ntoys <n>", "number of toys per hypothesis (toybased; pyhf's name)", "1000")
    .option("--toys <n>", "same as --ntoys")
    .option("--seed <n>", "random seed (toybased)", "0")
    .option("--workers <n>", "worker threads for toys (default: all cores)");
}

/** pyhf's `--calctype` names and hepflow's older `--calculator` names. */
const CALCULATORS: Record<string, "asymptotics" | "toys"> = { asymptotics: "asymptotics", toybased: "toys", toys: "toys" };

/** The calculator and toy settings from addToyOptions' options. */
export function toyOptions(o: ToyCliOptions): { calc: "asymptotics" | "toys"; toys: number; seed: number; workers?: number } {
  const name = o.calculator ?? o.calctype;
  const calc = CALCULATORS[name];
  if (!calc) throw new HepflowError("CLI_USAGE", `--calctype must be asymptotics or toybased, got "${name}"`);
  const toys = numberOption(o.toys !== undefined ? "--toys" : "--ntoys", o.toys ?? o.ntoys, 1000);
  const seed = numberOption("--seed", o.seed, 0);
  const workers = o.workers === undefined ? undefined : numberOption("--workers", o.workers, 1);
  return { calc, toys, seed, workers };
}
