/** Options and helpers shared by the inference commands (inspect, fit, cls, limit, significance). */
import type { Command } from "commander";
import { HepflowError } from "../../util/index.js";
import { loadWorkspace } from "../../stats/index.js";
import type { FitOptions, Model, ModifierSettings, Workspace } from "../../stats/index.js";

/** Parsed common options. */
export interface ModelCliOptions {
  patch: string[];
  measurement?: string;
  normsysInterp?: string;
  histosysInterp?: string;
  fix: string[];
  json?: boolean;
}

const collect = (value: string, previous: string[]) => previous.concat([value]);

/** Add the options every inference command takes. */
export function addModelOptions(cmd: Command): Command {
  return cmd
    .option("--patch <file>", "JSON patch (or patchset.json#name) applied to the workspace; repeatable, applied in order", collect, [])
    .option("--measurement <name>", "measurement to use (default: the first)")
    .option("--normsys-interp <code>", "normsys interpolation: code1 | code4 (default code4)")
    .option("--histosys-interp <code>", "histosys interpolation: code0 | code2 | code4p (default code4p)")
    .option("--fix <name=value>", "fix a parameter at a value (pyhf name, e.g. lumi or gamma[2]); repeatable", collect, [])
    .option("--json", "machine-readable JSON output");
}

/** Workspace, model, observed data and fit options from the command line. */
export function loadModel(file: string, o: ModelCliOptions): { ws: Workspace; model: Model; data: Float64Array; fitOptions: FitOptions } {
  const ws = loadWorkspace(file, o.patch);
  const settings: ModifierSettings = {
    normsys: { interpcode: (o.normsysInterp ?? "code4") as "code1" | "code4" },
    histosys: { interpcode: (o.histosysInterp ?? "code4p") as "code0" | "code2" | "code4p" },
  };
  const model = ws.model({ measurement: o.measurement, modifierSettings: settings });
  const fixed: Record<string, number> = {};
  for (const f of o.fix) {
    const m = /^(.+)=(.+)$/.exec(f);
    const v = m ? Number(m[2]) : NaN;
    if (!m || !Number.isFinite(v)) throw new HepflowError("CLI_USAGE", `--fix expects NAME=VALUE with a number, got "${f}"`);
    model.config.parameterIndex(m[1]);
    fixed[m[1]] = v;
  }
  return { ws, model, data: ws.data(model), fitOptions: { fixed } };
}

/** Parse a finite number option. */
export function numberOption(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const v = Number(value);
  if (!Number.isFinite(v)) throw new HepflowError("CLI_USAGE", `${name} expects a number, got "${value}"`);
  return v;
}

/** A plain text table with aligned columns. */
export function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map((c) => (typeof c === "number" ? fmt(c) : c)))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(cells[0]), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n");
}

/** Six significant digits, exponent form for tiny or huge values. */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e6)) return v.toExponential(5);
  return v.toPrecision(6);
}

/** Tell the user on stderr that a result comes from fits that did not converge. */
export function warnUnconverged(what: string): void {
  process.stderr.write(`hepflow: WARNING: ${what} did not converge; the numbers below are not reliable\n`);
}
