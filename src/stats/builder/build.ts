/**
 * Build a pyhf workspace from a builder config and its input histograms: one channel per
 * region, one sample per simulated sample, the data sample as the observation, normfactors,
 * a per-channel staterror from the templates' sum of squared weights, and the systematics.
 */
import { HepflowError } from "../../util/index.js";
import type { ChannelSpec, ModifierSpec, ParameterSpec, WorkspaceSpec } from "../spec.js";
import { selected } from "./config.js";
import type { BuilderConfig, PathOverrides, RegionConfig, SampleConfig, VariationConfig } from "./config.js";
import { ntupleTemplate } from "./ntuples.js";
import { isAbsolute, resolve as resolvePathOf } from "node:path";

function resolvePath(base: string | undefined, p: string): string {
  return isAbsolute(p) || /^[a-z][a-z0-9+.-]*:\/\//i.test(p) ? p : resolvePathOf(base ?? ".", p);
}
import { TemplateReader, rebin } from "./histograms.js";
import type { Template } from "./histograms.js";
import { normalizationModifier, normPlusShapeModifiers } from "./templates.js";

/** Build options. */
export interface BuildOptions {
  /** Directory against which relative input files are resolved (default: the working directory). */
  baseDir?: string;
  /** Replace the file part of General.InputPath (e.g. to read a JSON export instead of histograms.root). */
  inputFile?: string;
}

/** Fill the InputPath placeholders; a variation's overrides win over the sample's, which win over the region's. */
export function templatePath(cfg: BuilderConfig, region: RegionConfig, sample: SampleConfig, variation: PathOverrides | null, inputFile?: string): string {
  let input = cfg.General.InputPath;
  if (inputFile !== undefined) {
    const colon = input.lastIndexOf(":");
    input = `${inputFile}:${colon >= 0 ? input.slice(colon + 1) : input}`;
  }
  const values: Record<string, string> = {
    RegionPath: variation?.RegionPath ?? region.RegionPath ?? region.Name,
    SamplePath: variation?.SamplePath ?? sample.SamplePath ?? sample.Name,
    VariationPath: (variation ? variation.VariationPath : undefined) ?? cfg.General.VariationPath ?? "",
  };
  return input.replace(/\{(\w+)\}/g, (m, key: string) => {
    const v = Object.hasOwn(values, key) ? values[key] : undefined;
    if (v === undefined) throw new HepflowError("CONFIG_INVALID", `unknown placeholder ${m} in InputPath (known: {RegionPath}, {SamplePath}, {VariationPath})`, { object: "General.InputPath" });
    return v;
  });
}

/** cabinetry's staterror modifier name for a region. */
export function staterrorName(region: string): string {
  return `staterror_${region.replace(/ /g, "-")}`;
}

/** Build the workspace described by `cfg`. */
export async function buildWorkspace(cfg: BuilderConfig, opts: BuildOptions = {}): Promise<WorkspaceSpec> {
  const reader = new TemplateReader(opts.baseDir);
  try {
    return await buildFrom(cfg, opts, reader);
  } finally {
    await reader.close();
  }
}

async function buildFrom(cfg: BuilderConfig, opts: BuildOptions, reader: TemplateReader): Promise<WorkspaceSpec> {
  const load = async (region: RegionConfig, sample: SampleConfig, variation: VariationConfig | null): Promise<Template> => {
    const path = templatePath(cfg, region, sample, variation, opts.inputFile);
    const tree = variation?.Tree ?? sample.Tree;
    if (tree !== undefined) {
      // ntuple input (cabinetry): InputPath names the file; the template is filled here
      const where = `region "${region.Name}", sample "${sample.Name}"${variation ? " (variation)" : ""}`;
      const variable = variation?.Variable ?? region.Variable;
      if (!variable || !region.Binning) throw new HepflowError("CONFIG_INVALID", `${where}: ntuple inputs need Regions[].Variable and Regions[].Binning`, { object: "Regions" });
      // a variation's Filter replaces the region's; the sample's Filter always applies (cabinetry's rule)
      const cuts = [variation?.Filter ?? region.Filter, sample.Filter].filter((c): c is string => !!c);
      return ntupleTemplate({
        file: resolvePath(opts.baseDir, path),
        tree,
        variable,
        binning: region.Binning,
        where,
        filter: cuts.length ? cuts.map((c) => `(${c})`).join(" && ") : undefined,
        weight: sample.Data ? undefined : (variation?.Weight ?? sample.Weight),
      });
    }
    const t = await reader.read(path);
    return region.Binning ? rebin(t, region.Binning, path) : t;
  };
  const dataSample = cfg.Samples.find((s) => s.Data)!;
  const channels: ChannelSpec[] = [];
  const observations: { name: string; data: number[] }[] = [];
  for (const region of cfg.Regions) {
    const samples = [];
    for (const sample of cfg.Samples) {
      if (sample.Data || !selected(sample.Regions, region.Name)) continue;
      const nominal = await load(region, sample, null);
      // cabinetry's order: staterror, normfactors, systematics
      const modifiers: ModifierSpec[] = [];
      if (!sample.DisableStaterror) {
        modifiers.push({ name: staterrorName(region.Name), type: "staterror", data: Array.from(nominal.variances, (v) => (Number.isFinite(v) && v > 0 ? Math.sqrt(v) : 0)) });
      }
      for (const nf of cfg.NormFactors) {
        if (selected(nf.Samples, sample.Name) && selected(nf.Regions, region.Name)) modifiers.push({ name: nf.Name, type: "normfactor", data: null });
      }
      for (const sys of cfg.Systematics ?? []) {
        if (!selected(sys.Samples, sample.Name) || !selected(sys.Regions, region.Name)) continue;
        const name = sys.ModifierName ?? sys.Name;
        if (sys.Type === "Normalization") {
          modifiers.push({ name, type: "normsys", data: normalizationModifier(sys.Up.Normalization!, sys.Down.Symmetrize ? undefined : sys.Down.Normalization) });
          continue;
        }
        const up = sys.Up.Symmetrize ? null : await load(region, sample, sys.Up);
        const down = sys.Down.Symmetrize ? null : await load(region, sample, sys.Down);
        const where = `systematic "${sys.Name}" for sample "${sample.Name}" in region "${region.Name}"`;
        const empty = (t: Template | null) => t !== null && t.yields.reduce((a, b) => a + b, 0) === 0;
        if (empty(nominal) || empty(up) || empty(down)) {
          throw new HepflowError("TEMPLATE_EMPTY", `${where}: a template has zero total yield, so the normalisation effect is undefined`);
        }
        let m: ReturnType<typeof normPlusShapeModifiers>;
        if (up) {
          m = normPlusShapeModifiers(nominal.yields, up.yields, down ? down.yields : null);
        } else {
          // symmetrised up: mirror the down variation, then swap the roles back
          const r = normPlusShapeModifiers(nominal.yields, down!.yields, null);
          m = { normsys: { hi: r.normsys.lo, lo: r.normsys.hi }, histosys: { hi_data: r.histosys.lo_data, lo_data: r.histosys.hi_data } };
        }
        modifiers.push({ name, type: "normsys", data: m.normsys });
        // a single bin has no shape: the normsys carries everything (as cabinetry does)
        if (nominal.yields.length > 1) modifiers.push({ name, type: "histosys", data: m.histosys });
      }
      samples.push({ name: sample.Name, data: Array.from(nominal.yields), modifiers });
    }
    if (samples.length === 0) throw new HepflowError("CONFIG_INVALID", `region "${region.Name}" has no simulated samples`, { object: "Regions" });
    channels.push({ name: region.Name, samples });
    const data = await load(region, dataSample, null);
    observations.push({ name: region.Name, data: Array.from(data.yields) });
  }
  const parameters: ParameterSpec[] = cfg.NormFactors.map((nf) => {
    const p: ParameterSpec = { name: nf.Name };
    if (nf.Nominal !== undefined) p.inits = [nf.Nominal];
    if (nf.Bounds) p.bounds = [[nf.Bounds[0], nf.Bounds[1]]];
    if (nf.Fixed) p.fixed = true;
    return p;
  });
  // General.Fixed, as cabinetry applies it: a NormFactor keeps its Nominal as init if it has one;
  // a systematic is fixed at the value
  for (const f of cfg.General.Fixed ?? []) {
    const p = parameters.find((x) => x.name === f.Name);
    if (p) Object.assign(p, { fixed: true, inits: p.inits ?? [f.Value] });
    else if ((cfg.Systematics ?? []).some((x) => x.Name === f.Name)) parameters.push({ name: f.Name, inits: [f.Value], fixed: true });
    else throw new HepflowError("CONFIG_INVALID", `General.Fixed names "${f.Name}", which is neither a NormFactor nor a systematic`, { object: "General.Fixed" });
  }
  return {
    channels,
    measurements: [{ name: cfg.General.Measurement, config: { poi: cfg.General.POI, parameters } }],
    observations,
    version: "1.0.0",
  };
}
