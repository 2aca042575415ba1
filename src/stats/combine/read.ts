/**
 * CMS Combine text datacards → pyhf workspace, so `hepflow limit datacard.txt` gives Combine's
 * AsymptoticLimits. One Combine bin is one channel; the POI `r` (bounds [0, 20], Combine's
 * default range) multiplies every signal process (process index ≤ 0). Mapping:
 *
 * | datacard | workspace | agreement |
 * |---|---|---|
 * | `lnN κ` / `lnN κd/κu` | `normsys {lo: κd or 1/κ, hi: κu or κ}` with interpolation `combine` (Combine's AsymPow) | exact |
 * | `lnU κ` | free `normfactor` with bounds [1/κ, κ] | exact for profile likelihoods (a flat prior only matters for Bayesian methods) |
 * | `gmN N α` | rate αN with `shapesys` σ = rate/√N: pyhf's Pois(τ = N | γτ) is Combine's Gamma(θ; N+1) with θ = γN | exact |
 * | `shape` | `histosys` on the templates normalised to the nominal (code4p = Combine's vertical morphing, smooth-step inside |θ| < 1, linear outside) + `normsys` (interpolation `combine`) with κ = ∫Up/∫nominal, ∫Down/∫nominal, as Combine separates the normalisation | mapping; not compared to Combine output |
 * | `rateParam bin process init [lo,hi]` | `normfactor` (wildcards in bin/process; default range [0, max(10, 2·init)]) | exact |
 * | `name param mean σ` on a rateParam | `lumi`-type Gaussian constraint (auxdata mean, σ) | exact |
 * | `bin autoMCStats threshold [include-signal]` | `staterror` on the processes of that bin that have template errors, from their sumw2: Barlow–Beeston-lite, one Gaussian per bin | Combine adds ν·e_tot with e_tot following the process normalisations, pyhf's γ has the nominal relative width: equal at nominal normalisations (exactly so for one process); a threshold's per-process Poisson bins are not modelled (noted) |
 * | `group` | recorded in `groups` | no effect on limits |
 *
 * Not supported (clear error): `shapeN`, shape scale factors ≠ 1, `gmN 0`, `lnN` on a template
 * with zero yield is allowed; formulas in rateParam (`@0*@1`), `extArg`, `discrete`, parametric shapes.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { HepflowError, itemAt } from "../../util/index.js";
import { openFile } from "../../root/index.js";
import type { RootFile, RootHistogram } from "../../root/index.js";
import type { ChannelSpec, ModifierSettings, ModifierSpec, ParameterSpec, WorkspaceSpec } from "../spec.js";

/** A datacard read into a workspace, with the interpolation settings that reproduce Combine. */
export interface DatacardModel {
  workspace: WorkspaceSpec;
  modifierSettings: ModifierSettings;
  /** `group` lines: group name → nuisance names. */
  groups: Record<string, string[]>;
  /** Things read but only approximately modelled. */
  notes: string[];
}

interface Column {
  bin: string;
  process: string;
  index: number;
  rate: number;
}

/** A column with its nominal template and the modifiers the nuisance lines put on it. */
interface Sample extends Column {
  nominal: Template;
  mods: ModifierSpec[];
}

const wild = (pattern: string, value: string) => pattern === "*" || pattern === value || new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`).test(value);

/** A `shapes` line: process, channel, file, nominal pattern, systematic pattern. */
interface ShapeRule {
  process: string;
  channel: string;
  file: string;
  nominal: string;
  systematic?: string;
}

/** Combine's rule: the most specific `shapes` line wins (exact process and channel, then one wildcard, then both). */
function findRule(rules: ShapeRule[], process: string, channel: string): ShapeRule | undefined {
  const score = (r: ShapeRule) => (r.process === "*" ? 0 : 2) + (r.channel === "*" ? 0 : 1);
  return rules.filter((r) => wild(r.process, process) && wild(r.channel, channel)).sort((a, b) => score(b) - score(a))[0];
}

interface Template {
  data: number[];
  sumw2: number[];
}

class Templates {
  private files = new Map<string, Promise<RootFile>>();
  constructor(
    private dir: string,
    private mass: string,
  ) {}

  async get(rule: ShapeRule, pattern: string, process: string, channel: string, syst: string, where: string): Promise<Template> {
    const name = pattern
      .replace(/\$PROCESS/g, process)
      .replace(/\$CHANNEL/g, channel)
      .replace(/\$SYSTEMATIC/g, syst)
      .replace(/\$MASS/g, this.mass);
    if (name.includes(":")) throw new HepflowError("DATACARD_UNSUPPORTED", `${where}: "${name}" is a RooWorkspace object; parametric shapes are not supported (only TH1 templates)`);
    const file = path.resolve(this.dir, rule.file);
    let f = this.files.get(file);
    if (!f) {
      f = openFile(file);
      this.files.set(file, f);
    }
    const root = await f.catch((e: unknown) => {
      throw new HepflowError("ROOT_OPEN_FAILED", `${where}: cannot open the shapes file ${rule.file} (${(e as Error).message})`, { file }, { cause: e });
    });
    const h = (await root.get(name)) as RootHistogram;
    if (!h || !("contents" in h) || h.dimension !== 1) throw new HepflowError("HISTOGRAM_INVALID", `${where}: "${name}" in ${rule.file} is not a 1D histogram`, { file });
    const n = h.xaxis.nbins;
    const data = Array.from(h.contents.subarray(1, n + 1));
    const sumw2 = h.sumw2 && h.sumw2.length === h.contents.length ? Array.from(h.sumw2.subarray(1, n + 1)) : data.slice();
    return { data, sumw2 };
  }

  async close(): Promise<void> {
    for (const f of this.files.values()) await f.then((r) => r.close()).catch(() => undefined);
  }
}

const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);

function num(tok: string | undefined, where: string): number {
  const v = tok === undefined ? NaN : Number(tok);
  if (!Number.isFinite(v)) throw new HepflowError("DATACARD_INVALID", `${where}: expected a number, got "${tok ?? "nothing"}"`);
  return v;
}

/** Options of readDatacard. */
export interface ReadDatacardOptions {
  /** Value substituted for `$MASS` in shapes patterns (Combine's `-m`; default 120, as Combine). */
  mass?: number | string;
}

/** Read a datacard (counting or with TH1 shapes) into a workspace. */
export async function readDatacard(file: string, options: ReadDatacardOptions = {}): Promise<DatacardModel> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new HepflowError("FILE_NOT_FOUND", `cannot read the datacard (${(e as Error).message})`, { file }, { cause: e });
  }
  type Line = { no: number; toks: [string, ...string[]] };
  const lines = text
    .split(/\r?\n/)
    .map((l, i) => ({ no: i + 1, toks: l.replace(/#.*$/, "").trim().split(/\s+/).filter(Boolean) }))
    .filter((l): l is Line => l.toks[0] !== undefined && !/^-+$/.test(l.toks[0]));
  const at = (no: number) => `${file}:${no}`;
  const tok = (l: Line, i: number, what: string): string => {
    const t = l.toks[i];
    if (t === undefined) throw new HepflowError("DATACARD_INVALID", `${at(l.no)}: "${l.toks[0]}" line has no ${what} (column ${i + 1})`);
    return t;
  };
  const header: Record<string, string> = {};
  const rules: ShapeRule[] = [];
  let obsBins: string[] | undefined;
  let observation: number[] | undefined;
  let colBins: string[] | undefined;
  const procLines: Line[] = [];
  let rates: number[] | undefined;
  const systLines: Line[] = [];
  const groups: Record<string, string[]> = {};
  const notes: string[] = [];
  for (const l of lines) {
    const [k] = l.toks;
    if (k === "imax" || k === "jmax" || k === "kmax") header[k] = tok(l, 1, "value");
    else if (k === "shapes") {
      const [, process, channel, shapeFile, nominal, systematic] = l.toks;
      if (process === undefined || channel === undefined || shapeFile === undefined || nominal === undefined) throw new HepflowError("DATACARD_INVALID", `${at(l.no)}: a shapes line needs process, channel, file and a histogram pattern`);
      rules.push({ process, channel, file: shapeFile, nominal, systematic });
    } else if (k === "bin" && !obsBins && !rates && procLines.length === 0 && observation === undefined) obsBins = l.toks.slice(1);
    else if (k === "observation") observation = l.toks.slice(1).map((t) => num(t, at(l.no)));
    else if (k === "bin") colBins = l.toks.slice(1);
    else if (k === "process") procLines.push(l);
    else if (k === "rate") rates = l.toks.slice(1).map((t) => num(t, at(l.no)));
    else if (l.toks[1] === "group") {
      const op = l.toks[2];
      if (op !== "=" && op !== "+=") throw new HepflowError("DATACARD_INVALID", `${at(l.no)}: a group line is "name group = nuisances..." or "+="`);
      groups[k] = [...(op === "+=" ? (groups[k] ?? []) : []), ...l.toks.slice(3)];
    } else systLines.push(l);
  }
  const [pa, pb] = procLines;
  if (!colBins || !pa || !pb || procLines.length !== 2 || !rates) throw new HepflowError("DATACARD_INVALID", "a datacard needs the per-process block: bin, process (names), process (indices), rate", { file });
  const n = colBins.length;
  const numeric = (toks: string[]) => toks.slice(1).every((t) => /^[+-]?\d+$/.test(t));
  const [namesLine, indexLine] = numeric(pa.toks) ? [pb, pa] : [pa, pb];
  if (namesLine.toks.length - 1 !== n || indexLine.toks.length - 1 !== n || rates.length !== n)
    throw new HepflowError("DATACARD_INVALID", `the bin, process and rate lines must have the same number of columns (${n}, ${namesLine.toks.length - 1}, ${indexLine.toks.length - 1}, ${rates.length})`, { file });
  const rateOf = rates;
  const heads: Column[] = colBins.map((bin, i) => ({ bin, process: tok(namesLine, 1 + i, "process name"), index: num(indexLine.toks[1 + i], at(indexLine.no)), rate: itemAt(rateOf, i, "rate", "DATACARD_INVALID", { file }) }));
  const bins = obsBins ?? [...new Set(colBins)];
  if (observation && observation.length !== bins.length) throw new HepflowError("DATACARD_INVALID", `observation has ${observation.length} values for ${bins.length} bins`, { file });
  const processes = [...new Set(heads.map((c) => c.process))];
  if (header.imax && header.imax !== "*" && Number(header.imax) !== bins.length) throw new HepflowError("DATACARD_INVALID", `imax ${header.imax} but ${bins.length} bins`, { file });
  if (header.jmax && header.jmax !== "*" && Number(header.jmax) !== processes.length - 1) throw new HepflowError("DATACARD_INVALID", `jmax ${header.jmax} but ${processes.length} processes (jmax = processes − 1)`, { file });
  const nuisanceLines = systLines.filter((l) => ["lnN", "lnU", "gmN", "shape", "shapeN", "shape?", "shapeU"].includes(l.toks[1] ?? ""));
  if (header.kmax && header.kmax !== "*" && Number(header.kmax) !== nuisanceLines.length) throw new HepflowError("DATACARD_INVALID", `kmax ${header.kmax} but ${nuisanceLines.length} nuisance lines`, { file });

  const templates = new Templates(path.dirname(file), String(options.mass ?? 120));
  try {
    const shaped = rules.length > 0 && !rules.every((r) => r.file === "FAKE");
    // per column: nominal yields (and sumw2), one array per bin
    const cols: Sample[] = [];
    for (const c of heads) {
      const rule = shaped ? findRule(rules, c.process, c.bin) : undefined;
      if (shaped && !rule) throw new HepflowError("DATACARD_INVALID", `no shapes line matches process "${c.process}" in bin "${c.bin}"`, { file });
      let t: Template;
      if (rule && rule.file !== "FAKE") {
        t = await templates.get(rule, rule.nominal, c.process, c.bin, "", `process "${c.process}" in bin "${c.bin}"`);
        const total = sum(t.data);
        if (c.rate !== -1 && total !== 0) {
          // Combine normalises the template to the rate column
          const f = c.rate / total;
          t = { data: t.data.map((v) => v * f), sumw2: t.sumw2.map((v) => v * f * f) };
        }
      } else t = { data: [c.rate], sumw2: [0] };
      cols.push({ ...c, nominal: t, mods: c.index <= 0 ? [{ name: "r", type: "normfactor", data: null }] : [] });
    }
    const observations: { name: string; data: number[] }[] = [];
    for (const [b, bin] of bins.entries()) {
      const rule = shaped ? findRule(rules, "data_obs", bin) : undefined;
      if (rule && rule.file !== "FAKE") observations.push({ name: bin, data: (await templates.get(rule, rule.nominal, "data_obs", bin, "", `data_obs in bin "${bin}"`)).data });
      else if (observation) observations.push({ name: bin, data: [itemAt(observation, b, `observation for bin "${bin}"`, "DATACARD_INVALID", { file })] });
      else throw new HepflowError("DATACARD_INVALID", `no observation for bin "${bin}"`, { file });
    }
    const parameters: ParameterSpec[] = [{ name: "r", bounds: [[0, 20]], inits: [1] }];
    const rateParams = new Set<string>();
    for (const l of systLines) {
      const [name, type] = l.toks;
      const where = at(l.no);
      // one value per process column, paired with its column
      const vals = (offset: number) => {
        const row = l.toks.slice(offset, offset + n);
        return cols.map((c) => {
          const v = row.shift();
          if (v === undefined) throw new HepflowError("DATACARD_INVALID", `${where}: ${type} "${name}" needs ${n} columns, has ${l.toks.slice(offset).length}`);
          return { c, v };
        });
      };
      switch (type) {
        case "lnN":
          vals(2).forEach(({ c, v }) => {
            if (v === "-") return;
            const [a, b] = v.split("/");
            const [lo, hi] = b === undefined ? [1 / num(a, where), num(a, where)] : [num(a, where), num(b, where)];
            if (!(lo > 0 && hi > 0)) throw new HepflowError("DATACARD_INVALID", `${where}: lnN κ must be positive, got "${v}"`);
            c.mods.push({ name, type: "normsys", data: { lo, hi } });
          });
          break;
        case "lnU": {
          const ks = new Set<number>();
          vals(2).forEach(({ c, v }) => {
            if (v === "-") return;
            ks.add(num(v, where));
            c.mods.push({ name, type: "normfactor", data: null });
          });
          const [k] = ks;
          if (ks.size !== 1 || k === undefined) throw new HepflowError("DATACARD_UNSUPPORTED", `${where}: lnU "${name}" with different κ per process cannot be one free factor`);
          parameters.push({ name, bounds: [[Math.min(k, 1 / k), Math.max(k, 1 / k)]], inits: [1] });
          break;
        }
        case "gmN": {
          const N = num(l.toks[2], where);
          if (!(N > 0)) throw new HepflowError("DATACARD_UNSUPPORTED", `${where}: gmN with N = ${N} events is not supported (needs N > 0)`);
          const used = vals(3).filter(({ v }) => v !== "-");
          const [only] = used;
          if (used.length !== 1 || !only) throw new HepflowError("DATACARD_UNSUPPORTED", `${where}: gmN "${name}" on ${used.length} processes; one is supported`);
          const { c, v } = only;
          const rate = num(v, where) * N;
          if (c.rate !== rate && Math.abs(c.rate - rate) > 1e-3 * Math.max(1, rate)) notes.push(`${where}: gmN ${name}: rate column ${c.rate} differs from α·N = ${rate}; using α·N as Combine does`);
          c.nominal = { data: [rate], sumw2: [0] };
          c.mods.push({ name, type: "shapesys", data: [rate / Math.sqrt(N)] });
          break;
        }
        case "shape":
        case "shape?": {
          for (const { c, v } of vals(2)) {
            if (v === "-" || v === "0") continue;
            if (num(v, where) !== 1) throw new HepflowError("DATACARD_UNSUPPORTED", `${where}: shape "${name}" with scale ${v}; only 1 is supported`);
            const rule = findRule(rules, c.process, c.bin);
            if (!rule?.systematic) throw new HepflowError("DATACARD_INVALID", `${where}: shape "${name}" on process "${c.process}" in bin "${c.bin}" needs a shapes line with a systematic pattern`);
            const up = await templates.get(rule, rule.systematic, c.process, c.bin, `${name}Up`, where);
            const down = await templates.get(rule, rule.systematic, c.process, c.bin, `${name}Down`, where);
            const nom = c.nominal.data;
            // the template's own normalisation: rate −1 keeps the file's, otherwise scale as the nominal
            const raw = sum((await templates.get(rule, rule.nominal, c.process, c.bin, "", where)).data);
            const scale = raw !== 0 ? sum(nom) / raw : 1;
            const nu = sum(up.data) * scale,
              nd = sum(down.data) * scale,
              nn = sum(nom);
            const norm = (t: number[], total: number) => t.map((x) => (total !== 0 ? (x * scale * nn) / total : 0));
            c.mods.push({ name, type: "histosys", data: { lo_data: norm(down.data, nd), hi_data: norm(up.data, nu) } });
            if (nn > 0 && (Math.abs(nu / nn - 1) > 1e-12 || Math.abs(nd / nn - 1) > 1e-12)) c.mods.push({ name, type: "normsys", data: { lo: nd / nn, hi: nu / nn } });
          }
          break;
        }
        case "rateParam": {
          const [, , bin, proc, init, range] = l.toks;
          if (bin === undefined || proc === undefined || init === undefined) throw new HepflowError("DATACARD_INVALID", `${where}: rateParam needs bin, process and an initial value`);
          if (init.includes("@")) throw new HepflowError("DATACARD_UNSUPPORTED", `${where}: rateParam formulas ("${init}") are not supported`);
          const v0 = num(init, where);
          let hit = 0;
          cols.forEach((c) => {
            if (wild(bin, c.bin) && wild(proc, c.process)) {
              c.mods.push({ name, type: "normfactor", data: null });
              hit++;
            }
          });
          if (!hit) throw new HepflowError("DATACARD_INVALID", `${where}: rateParam "${name}" matches no process (bin "${bin}", process "${proc}")`);
          if (!rateParams.has(name)) {
            const m = range ? /^\[([^,]+),([^\]]+)\]$/.exec(range) : null;
            if (range && !m) throw new HepflowError("DATACARD_INVALID", `${where}: rateParam range must look like [lo,hi], got "${range}"`);
            parameters.push({ name, inits: [v0], bounds: [m ? [num(m[1], where), num(m[2], where)] : [0, Math.max(10, 2 * v0)]] });
            rateParams.add(name);
          }
          break;
        }
        case "param": {
          // a Gaussian constraint on a rateParam: the parameter becomes lumi-like (multiplicative, Gaussian)
          const mean = num(l.toks[2], where);
          const sigma = num(l.toks[3]?.split("/")[0], where);
          let hit = 0;
          for (const { mods: ms } of cols)
            for (const m of ms)
              if (m.name === name && m.type === "normfactor") {
                (m as { type: string }).type = "lumi";
                hit++;
              }
          if (!hit) throw new HepflowError("DATACARD_UNSUPPORTED", `${where}: param "${name}" constrains no rateParam (constraints on other parameters are not supported)`);
          const p = parameters.find((q) => q.name === name)!;
          Object.assign(p, { auxdata: [mean], sigmas: [sigma] });
          break;
        }
        case "autoMCStats": {
          const threshold = num(l.toks[2], where);
          if (threshold > 0) notes.push(`${where}: autoMCStats threshold ${threshold}: every bin uses the Barlow–Beeston-lite Gaussian (Combine would use per-process Poisson terms below the threshold)`);
          const binsHit = bins.filter((b) => wild(name, b));
          if (!binsHit.length) throw new HepflowError("DATACARD_INVALID", `${where}: autoMCStats for "${name}" matches no bin`);
          // Combine adds ν·e_tot to the bin with e_tot over all processes (signal included; the
          // include-signal flag only enters the threshold test): pyhf's γ on every process with
          // errors is that at nominal normalisations; processes without errors are left out so
          // they are not scaled by γ
          cols.forEach((c) => {
            if (!binsHit.includes(c.bin) || c.nominal.sumw2.every((e) => e === 0)) return;
            c.mods.push({ name: `staterror_${c.bin}`, type: "staterror", data: c.nominal.sumw2.map(Math.sqrt) });
          });
          break;
        }
        case "shapeN":
        case "shapeN2":
        case "shapeU":
        case "extArg":
        case "discrete":
        case "flatParam":
          throw new HepflowError("DATACARD_UNSUPPORTED", `${where}: "${type}" lines are not supported`);
        default:
          throw new HepflowError("DATACARD_INVALID", `${where}: unknown line "${l.toks.slice(0, 3).join(" ")}"`);
      }
    }
    const channels: ChannelSpec[] = bins.map((b) => ({
      name: b,
      samples: cols.filter((c) => c.bin === b).map((c) => ({ name: c.process, data: c.nominal.data, modifiers: c.mods })),
    }));
    for (const ch of channels) if (!ch.samples.length) throw new HepflowError("DATACARD_INVALID", `bin "${ch.name}" has no processes`, { file });
    const workspace = {
      channels,
      observations,
      measurements: [{ name: "datacard", config: { poi: "r", parameters } }],
      version: "1.0.0",
    } as WorkspaceSpec;
    return { workspace, modifierSettings: { normsys: { interpcode: "combine" }, histosys: { interpcode: "code4p" } }, groups, notes };
  } finally {
    await templates.close();
  }
}

/** True when `file` looks like a datacard rather than JSON: a .txt/.dc/.card name, or text not starting with "{". */
export function isDatacard(file: string): boolean {
  if (/\.(txt|dc|card|datacard)$/i.test(file)) return true;
  if (/\.json$/i.test(file)) return false;
  try {
    return !readFileSync(file, "utf8").trimStart().startsWith("{");
  } catch {
    return false;
  }
}
