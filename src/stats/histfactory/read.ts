/**
 * HistFactory XML → pyhf workspace JSON, with pyhf's readxml conventions: a top-level
 * `<Combination>` lists channel files (`<Input>`, relative to the base directory), each channel
 * names its histograms by InputFile / HistoPath / HistoName (a sample's or modifier's attributes
 * override the channel's), and every modifier element becomes one pyhf modifier:
 *
 * | XML | pyhf |
 * |---|---|
 * | `NormalizeByTheory="True"` | `lumi` (parameter `lumi`: auxdata Lumi, sigma Lumi·LumiRelErr, bounds ±5σ) |
 * | `OverallSys Low High` | `normsys {lo, hi}` |
 * | `NormFactor Val Low High [Const]` | `normfactor` + parameter inits/bounds/fixed |
 * | `HistoSys HistoNameLow/High` | `histosys {lo_data, hi_data}` |
 * | `StatError Activate="True" [HistoName]` | `staterror_<channel>`: absolute errors = the sample's own errors, or the named relative-error histogram × the sample |
 * | `ShapeSys HistoName` | `shapesys`: relative errors × the sample |
 * | `ShapeFactor` | `shapefactor` |
 * | `Measurement` `POI`, `ParamSetting Const/Val` | measurement config (`Lumi` → `lumi`, `alpha_X` → `X`) |
 *
 * Like pyhf: `StatErrorConfig` and `ConstraintTerm` are read but not applied (pyhf's staterror is
 * always Gaussian, normsys always its interpolation code), an inactive StatError is skipped, and
 * 2D histograms are unrolled (x outer, y inner; pyhf would produce nested lists and fail validation).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { HepflowError, itemAt } from "../../util/index.js";
import { openFile } from "../../root/index.js";
import type { RootFile, RootHistogram } from "../../root/index.js";
import type { ChannelSpec, MeasurementSpec, ModifierSpec, ParameterSpec, SampleSpec, WorkspaceSpec } from "../spec.js";
import { parseXml } from "./xml.js";
import type { XmlElement } from "./xml.js";

/** Options of readHistFactoryXml. */
export interface ReadXmlOptions {
  /** Directory the XML's paths are relative to (pyhf's `--basedir`; default: the current directory). */
  basedir?: string;
}

/** Bin contents and errors of one histogram as pyhf takes them (in-range bins; errors √sumw2, or √content without sumw2). */
interface Hist {
  data: number[];
  err: number[];
}

function histValues(h: RootHistogram, where: string): Hist {
  if (!h || typeof h !== "object" || !("contents" in h)) throw new HepflowError("HISTOGRAM_INVALID", `${where} is not a histogram`);
  const nx = h.xaxis.nbins;
  const ny = h.dimension >= 2 ? h.yaxis!.nbins : 1;
  if (h.dimension === 3) throw new HepflowError("HISTOGRAM_INVALID", `${where} is a 3D histogram; HistFactory inputs are 1D (or 2D, unrolled)`);
  const sumw2 = h.sumw2 !== undefined && h.sumw2.length === h.contents.length ? h.sumw2 : undefined;
  const data: number[] = [];
  const err: number[] = [];
  for (let ix = 1; ix <= nx; ix++) {
    for (let iy = h.dimension === 2 ? 1 : 0; iy <= (h.dimension === 2 ? ny : 0); iy++) {
      const g = ix + (nx + 2) * iy;
      // g < (nx + 2)·(ny + 2), the size the axes give; a file whose bin array is shorter is corrupt
      const w = itemAt(h.contents, g, `bin ${g} of ${where}`, "HISTOGRAM_INVALID");
      data.push(w);
      err.push(Math.sqrt(sumw2 ? itemAt(sumw2, g, `sum of squared weights in bin ${g} of ${where}`, "HISTOGRAM_INVALID") : w));
    }
  }
  return { data, err };
}

/** Opens each ROOT file once and looks histograms up as pyhf does: `name` first, then `path/name`. */
class HistogramSource {
  private files = new Map<string, Promise<RootFile>>();
  constructor(private basedir: string) {}

  async get(file: string, histoPath: string, name: string, where: string): Promise<Hist> {
    if (!file) throw new HepflowError("XML_INVALID", `${where}: no InputFile for histogram "${name}"`);
    if (!name) throw new HepflowError("XML_INVALID", `${where}: empty HistoName`);
    const full = path.resolve(this.basedir, file);
    let f = this.files.get(full);
    if (!f) {
      f = openFile(full);
      this.files.set(full, f);
    }
    const root = await f.catch((e: unknown) => {
      throw new HepflowError("ROOT_OPEN_FAILED", `${where}: cannot open InputFile "${file}" (${(e as Error).message})`, { file: full }, { cause: e });
    });
    const dir = histoPath.replace(/^\/+|\/+$/g, "");
    const candidates = [name, ...(dir ? [`${dir}/${name}`] : [])];
    for (const c of candidates) {
      let obj: unknown;
      try {
        obj = await root.get(c);
      } catch (e) {
        if (e instanceof HepflowError && e.code === "ROOT_NOT_FOUND") continue;
        throw e;
      }
      return histValues(obj as RootHistogram, `${where}: "${c}" in ${file}`);
    }
    throw new HepflowError("ROOT_NOT_FOUND", `${where}: neither "${name}" nor "${dir}/${name}" is in ${file}`, { file: full });
  }

  async close(): Promise<void> {
    for (const f of this.files.values()) await f.then((r) => r.close()).catch(() => undefined);
  }
}

function readXmlFile(file: string): XmlElement {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new HepflowError("FILE_NOT_FOUND", `cannot read the XML file (${(e as Error).message})`, { file }, { cause: e });
  }
  return parseXml(text, file);
}

function number(e: XmlElement, attr: string, where: string): number {
  const v = e.attrs[attr];
  const x = v === undefined || v.trim() === "" ? NaN : Number(v);
  if (!Number.isFinite(x)) throw new HepflowError("XML_INVALID", `${where}: <${e.tag}> needs a numeric ${attr}=, got ${v === undefined ? "none" : `"${v}"`}`);
  return x;
}

function required(e: XmlElement, attr: string, where: string): string {
  const v = e.attrs[attr];
  if (v === undefined) throw new HepflowError("XML_INVALID", `${where}: <${e.tag}> needs ${attr}=`);
  return v;
}

/** Relative uncertainties times the nominal, bin by bin; the two histograms must have the same bins. */
function scaleBins(rel: number[], nominal: number[], what: string, where: string): number[] {
  if (rel.length !== nominal.length) throw new HepflowError("HISTOGRAM_INVALID", `${where}: ${what} has ${rel.length} bins but the nominal histogram has ${nominal.length}`);
  return nominal.map((v, i) => v * itemAt(rel, i, `${what} bin ${i}`, "HISTOGRAM_INVALID"));
}

/** Every element below `e`, depth first in document order (ElementTree's iter() without e itself). */
function descendants(e: XmlElement): XmlElement[] {
  return e.children.flatMap((c) => [c, ...descendants(c)]);
}

interface ChannelResult {
  channel: ChannelSpec;
  data: number[];
  parameters: ParameterSpec[];
}

async function readSample(s: XmlElement, hists: HistogramSource, inputFile: string, histoPath: string, channel: string, where: string): Promise<{ sample: SampleSpec; parameters: ParameterSpec[] }> {
  const name = required(s, "Name", where);
  const at = `${where}, sample "${name}"`;
  const file = s.attrs.InputFile ?? inputFile;
  const nominal = await hists.get(file, s.attrs.HistoPath ?? histoPath, required(s, "HistoName", at), at);
  const modifiers: ModifierSpec[] = [];
  const parameters: ParameterSpec[] = [];
  if ((s.attrs.NormalizeByTheory ?? "False") === "True") modifiers.push({ name: "lumi", type: "lumi", data: null });
  for (const m of descendants(s)) {
    const mat = `${at}, <${m.tag}${m.attrs.Name ? ` Name="${m.attrs.Name}"` : ""}>`;
    switch (m.tag) {
      case "OverallSys":
        modifiers.push({ name: required(m, "Name", mat), type: "normsys", data: { lo: number(m, "Low", mat), hi: number(m, "High", mat) } });
        break;
      case "NormFactor": {
        const p: ParameterSpec = { name: required(m, "Name", mat), bounds: [[number(m, "Low", mat), number(m, "High", mat)]], inits: [number(m, "Val", mat)] };
        if (m.attrs.Const) p.fixed = m.attrs.Const === "True";
        modifiers.push({ name: p.name, type: "normfactor", data: null });
        parameters.push(p);
        break;
      }
      case "HistoSys": {
        const lo = await hists.get(m.attrs.HistoFileLow ?? file, m.attrs.HistoPathLow ?? "", required(m, "HistoNameLow", mat), mat);
        const hi = await hists.get(m.attrs.HistoFileHigh ?? file, m.attrs.HistoPathHigh ?? "", required(m, "HistoNameHigh", mat), mat);
        modifiers.push({ name: required(m, "Name", mat), type: "histosys", data: { lo_data: lo.data, hi_data: hi.data } });
        break;
      }
      case "StatError": {
        if ((m.attrs.Activate ?? "False") !== "True") break; // pyhf ignores (with a warning) an inactive StatError
        let err = nominal.err;
        if ((m.attrs.HistoName ?? "") !== "") {
          const rel = await hists.get(m.attrs.HistoFile ?? file, m.attrs.HistoPath ?? "", required(m, "HistoName", mat), mat);
          err = scaleBins(rel.data, nominal.data, `StatError "${m.attrs.HistoName}"`, mat);
        }
        modifiers.push({ name: `staterror_${channel}`, type: "staterror", data: err });
        break;
      }
      case "ShapeSys": {
        const rel = await hists.get(m.attrs.InputFile ?? file, m.attrs.HistoPath ?? "", required(m, "HistoName", mat), mat);
        modifiers.push({ name: required(m, "Name", mat), type: "shapesys", data: scaleBins(rel.data, nominal.data, `ShapeSys "${m.attrs.HistoName}"`, mat) });
        break;
      }
      case "ShapeFactor":
        modifiers.push({ name: required(m, "Name", mat), type: "shapefactor", data: null });
        break;
      default:
        break; // pyhf: "not considering modifier tag"
    }
  }
  return { sample: { name, data: nominal.data, modifiers }, parameters };
}

async function readChannel(file: string, hists: HistogramSource): Promise<ChannelResult> {
  const root = readXmlFile(file);
  if (root.tag !== "Channel") throw new HepflowError("XML_INVALID", `expected a <Channel> document, found <${root.tag}>`, { file });
  const name = required(root, "Name", file);
  const where = `${file}, channel "${name}"`;
  const inputFile = root.attrs.InputFile ?? "";
  const histoPath = root.attrs.HistoPath ?? "";
  const dataEl = root.children.find((c) => c.tag === "Data");
  if (!dataEl) throw new HepflowError("XML_INVALID", `${where} has no <Data>; workspaces without observed data cannot be converted (as in pyhf)`, { file });
  const dataFile = dataEl.attrs.InputFile ?? inputFile;
  const dataName = dataEl.attrs.HistoName ?? "";
  if (!dataFile || !dataName) throw new HepflowError("XML_INVALID", `${where}: <Data> needs a HistoName and an InputFile`, { file });
  const data = await hists.get(dataFile, dataEl.attrs.HistoPath ?? histoPath, dataName, `${where}, <Data>`);
  const samples: SampleSpec[] = [];
  const parameters: ParameterSpec[] = [];
  for (const s of root.children.filter((c) => c.tag === "Sample")) {
    const r = await readSample(s, hists, inputFile, histoPath, name, where);
    samples.push(r.sample);
    parameters.push(...r.parameters);
  }
  return { channel: { name, samples }, data: data.data, parameters };
}

/** pyhf's dedupe_parameters: one config per name; differing configs of one name are an error. */
function dedupe(parameters: ParameterSpec[], file: string): ParameterSpec[] {
  const byName = new Map<string, ParameterSpec>();
  for (const p of parameters) {
    const seen = byName.get(p.name);
    if (seen && JSON.stringify(seen) !== JSON.stringify(p)) throw new HepflowError("XML_INVALID", `incompatible settings for parameter "${p.name}" in different samples: ${JSON.stringify(seen)} vs ${JSON.stringify(p)}`, { file });
    byName.set(p.name, p);
  }
  return [...byName.values()];
}

/** A ROOT parameter name as pyhf interprets it: `Lumi` → lumi, `alpha_X` → X; `gamma_X_i` (one bin of a per-bin set) cannot be set. */
function parameterName(rootName: string, file: string): string {
  if (rootName === "Lumi") return "lumi";
  if (rootName.startsWith("gamma_")) throw new HepflowError("XML_INVALID", `ParamSetting "${rootName}": single bins of a per-bin parameter set (gamma) cannot be set in a pyhf workspace`, { file });
  return rootName.startsWith("alpha_") ? rootName.slice(6) : rootName;
}

function readMeasurements(top: XmlElement, parameters: ParameterSpec[], file: string): MeasurementSpec[] {
  return top.children
    .filter((c) => c.tag === "Measurement")
    .map((m) => {
      const name = required(m, "Name", file);
      const where = `${file}, measurement "${name}"`;
      const lumi = number(m, "Lumi", where);
      const lumiErr = lumi * number(m, "LumiRelErr", where);
      const poi = m.children.find((c) => c.tag === "POI");
      if (!poi) throw new HepflowError("XML_INVALID", `${where} has no <POI>`, { file });
      const lumiPar: ParameterSpec = { name: "lumi", auxdata: [lumi], bounds: [[lumi - 5 * lumiErr, lumi + 5 * lumiErr]], inits: [lumi], sigmas: [lumiErr] };
      // insertion order as pyhf's dict: a ParamSetting moves its parameter to the end
      const configs = new Map(parameters.map((p) => [p.name, structuredClone(p)]));
      for (const ps of m.children.filter((c) => c.tag === "ParamSetting")) {
        const common: Partial<ParameterSpec> = {};
        if (ps.attrs.Const) common.fixed = ps.attrs.Const === "True";
        if (ps.attrs.Val) common.inits = [number(ps, "Val", where)];
        for (const rootName of ps.text.trim().split(/\s+/).filter(Boolean)) {
          const n = parameterName(rootName, file);
          if (n === "lumi") {
            Object.assign(lumiPar, common);
            continue;
          }
          const p = configs.get(n) ?? { name: n };
          configs.delete(n);
          configs.set(n, Object.assign(p, common));
        }
      }
      return { name, config: { poi: poi.text.trim(), parameters: [lumiPar, ...configs.values()] } };
    });
}

/** Convert a top-level HistFactory `<Combination>` XML (and the channel XML and ROOT files it names) into a pyhf workspace. */
export async function readHistFactoryXml(configFile: string, options: ReadXmlOptions = {}): Promise<WorkspaceSpec> {
  const basedir = options.basedir ?? process.cwd();
  const top = readXmlFile(configFile);
  if (top.tag !== "Combination") throw new HepflowError("XML_INVALID", `expected a top-level <Combination> document, found <${top.tag}>`, { file: configFile });
  const inputs = top.children
    .filter((c) => c.tag === "Input")
    .map((c) => c.text.trim())
    .filter(Boolean);
  if (inputs.length === 0) throw new HepflowError("XML_INVALID", "the <Combination> lists no <Input> channel files", { file: configFile });
  const hists = new HistogramSource(basedir);
  try {
    const channels: ChannelSpec[] = [];
    const observations: { name: string; data: number[] }[] = [];
    const parameters: ParameterSpec[] = [];
    for (const input of inputs) {
      const r = await readChannel(path.resolve(basedir, input), hists);
      channels.push(r.channel);
      observations.push({ name: r.channel.name, data: r.data });
      parameters.push(...r.parameters);
    }
    const measurements = readMeasurements(top, dedupe(parameters, configFile), configFile);
    return { measurements, channels, observations, version: "1.0.0" } as WorkspaceSpec;
  } finally {
    await hists.close();
  }
}
