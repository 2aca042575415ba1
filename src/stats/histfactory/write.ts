/**
 * pyhf workspace JSON → HistFactory XML + one ROOT file of histograms, laid out as pyhf's writexml:
 * `<resultprefix>.xml` (the Combination), `<specroot>/<resultprefix>_<channel>.xml` per channel,
 * `<dataroot>/data.root` with histograms `hist<channel>_<sample>[_<modifier>][Low|High]` on unit bins.
 * Paths in the XML are relative to the output directory (read back with `--basedir OUT`; run
 * ROOT's hist2workspace from OUT). Differences from pyhf's writer, all so the XML reads back to the
 * same workspace: LumiRelErr is σ/Lumi (pyhf writes σ, equal only for Lumi = 1), and every fixed
 * parameter gets its own `<ParamSetting Const="True" Val=init>` (pyhf drops the value).
 * The DTD named in the DOCTYPE (ROOT's HistFactorySchema.dtd) is not written: it ships with ROOT.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createFile } from "../../root/index.js";
import { HepflowError } from "../../util/index.js";
import { templateHistogram } from "../combine/index.js";
import type { HistoSysData, MeasurementSpec, ModifierSpec, NormSysData, WorkspaceSpec } from "../spec.js";
import { el, writeXml } from "./xml.js";
import type { XmlElement } from "./xml.js";

/** Options of workspaceToHistFactoryXml (pyhf json2xml's names). */
export interface WriteXmlOptions {
  specroot?: string;
  dataroot?: string;
  resultprefix?: string;
}

/** The XML documents (path relative to the output directory → text) and the histograms for the data file. */
export interface HistFactoryXmlExport {
  files: { path: string; text: string }[];
  rootFile: string;
  histograms: { path: string; contents: number[]; sumw2: number[] }[];
}

const str = (v: number) => String(v);
const histName =
  (...parts: (string | undefined)[]) =>
  (suffix = "") =>
    `hist${parts.filter(Boolean).join("_")}${suffix}`;
/** Relative errors err/nominal, 0 where the nominal is 0 (pyhf's np.divide with where=). */
const relative = (err: number[], nominal: number[]) =>
  err.map((e, i) => {
    const n = nominal[i] ?? 0;
    return n !== 0 ? e / n : 0;
  });

/** Build the XML and histograms of a workspace (pure; writeHistFactoryXml puts them on disk). */
export function workspaceToHistFactoryXml(ws: WorkspaceSpec, options: WriteXmlOptions = {}): HistFactoryXmlExport {
  const specroot = options.specroot ?? "config";
  const dataroot = options.dataroot ?? "data";
  const prefix = options.resultprefix ?? "FitConfig";
  const rootFile = path.posix.join(dataroot, "data.root");
  const histograms: HistFactoryXmlExport["histograms"] = [];
  const seen = new Set<string>();
  const put = (name: string, contents: number[]) => {
    if (seen.has(name)) throw new HepflowError("WORKSPACE_INVALID", `two histograms would both be named "${name}"`);
    seen.add(name);
    // Poisson sumw2 so a reader sees the same errors as for an unweighted histogram
    histograms.push({ path: name, contents, sumw2: contents.map((v) => Math.abs(v)) });
  };
  const first: MeasurementSpec | undefined = ws.measurements[0];
  const param = (n: string) => first?.config.parameters.find((p) => p.name === n);
  const types = new Map<string, string>();
  const files: HistFactoryXmlExport["files"] = [];
  const inputs: XmlElement[] = [];
  for (const c of ws.channels) {
    const obs = ws.observations.find((o) => o.name === c.name);
    const children: XmlElement[] = [];
    if (obs) {
      put(histName(c.name, "data")(), obs.data);
      children.push(el("Data", { HistoName: histName(c.name, "data")(), InputFile: rootFile }));
    }
    for (const s of c.samples) {
      const h = histName(c.name, s.name);
      put(h(), s.data);
      const mods: XmlElement[] = [];
      let lumi = false;
      for (const m of s.modifiers as ModifierSpec[]) {
        types.set(m.name, m.type);
        const hm = histName(c.name, s.name, m.name);
        switch (m.type) {
          case "lumi":
            if (m.name !== "lumi") throw new HepflowError("WORKSPACE_INVALID", `HistFactory has one luminosity parameter (Lumi): the lumi modifier on sample "${s.name}" in channel "${c.name}" must be named "lumi", not "${m.name}"`);
            lumi = true;
            break;
          case "normsys": {
            const d = m.data as NormSysData;
            mods.push(el("OverallSys", { Name: m.name, High: str(d.hi), Low: str(d.lo) }));
            break;
          }
          case "histosys": {
            const d = m.data as HistoSysData;
            put(hm("Low"), d.lo_data);
            put(hm("High"), d.hi_data);
            mods.push(el("HistoSys", { Name: m.name, HistoNameLow: hm("Low"), HistoNameHigh: hm("High") }));
            break;
          }
          case "normfactor": {
            const p = param(m.name);
            const [low, high] = p?.bounds?.[0] ?? [0, 10];
            mods.push(el("NormFactor", { Name: m.name, Val: str(p?.inits?.[0] ?? 1), Low: str(low), High: str(high) }));
            break;
          }
          case "staterror":
            put(hm(), relative(m.data as number[], s.data));
            mods.push(el("StatError", { Activate: "True", HistoName: hm() }));
            break;
          case "shapesys":
            put(hm(), relative(m.data as number[], s.data));
            mods.push(el("ShapeSys", { Name: m.name, ConstraintType: "Poisson", HistoName: hm() }));
            break;
          case "shapefactor":
            mods.push(el("ShapeFactor", { Name: m.name }));
            break;
        }
      }
      children.push(el("Sample", { Name: s.name, HistoName: h(), InputFile: rootFile, NormalizeByTheory: lumi ? "True" : "False" }, mods));
    }
    const file = path.posix.join(specroot, `${prefix}_${c.name}.xml`);
    files.push({ path: file, text: writeXml(el("Channel", { Name: c.name, InputFile: rootFile }, children), "../HistFactorySchema.dtd") });
    inputs.push(el("Input", {}, [], file));
  }
  const prefixes: Record<string, string> = { normsys: "alpha_", histosys: "alpha_", shapesys: "gamma_", staterror: "gamma_" };
  const measurements = ws.measurements.map((m) => {
    const lumiPar = m.config.parameters.find((p) => p.name === "lumi");
    const lumi = lumiPar?.auxdata?.[0] ?? 1;
    const sigma = lumiPar?.sigmas?.[0] ?? 0;
    const settings = m.config.parameters
      .filter((p) => p.fixed)
      .map((p) => {
        const rootName = p.name === "lumi" ? "Lumi" : `${prefixes[types.get(p.name) ?? ""] ?? ""}${p.name}`;
        return el("ParamSetting", { Const: "True", ...(p.inits?.length === 1 && p.inits[0] !== undefined ? { Val: str(p.inits[0]) } : {}) }, [], rootName);
      });
    return el("Measurement", { Name: m.name, Lumi: str(lumi), LumiRelErr: str(lumi !== 0 ? sigma / lumi : 0), ExportOnly: "True" }, [el("POI", {}, [], m.config.poi), ...settings]);
  });
  files.unshift({ path: `${prefix}.xml`, text: writeXml(el("Combination", { OutputFilePrefix: path.posix.join(specroot, prefix) }, [...inputs, ...measurements]), "HistFactorySchema.dtd") });
  return { files, rootFile, histograms };
}

/** Write the export into `dir` (created by the caller): the XML files and the ROOT data file. */
export async function writeHistFactoryXml(dir: string, exp: HistFactoryXmlExport): Promise<void> {
  for (const f of exp.files) {
    const p = path.join(dir, f.path);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, f.text);
  }
  const rootPath = path.join(dir, exp.rootFile);
  mkdirSync(path.dirname(rootPath), { recursive: true });
  const w = await createFile(rootPath);
  try {
    for (const h of exp.histograms) w.putHistogram(h.path, templateHistogram(h));
    await w.close();
  } catch (e) {
    w.abort();
    throw e;
  }
}
