/**
 * The workspace-builder configuration (cabinetry-style YAML): its TypeScript shape, its JSON
 * schema, and loading with validation errors that name the offending key path.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { ErrorObject, ValidateFunction } from "ajv";
import { HepflowError } from "../../util/index.js";

/** Where one template comes from: overrides of the InputPath placeholders. */
export interface PathOverrides {
  RegionPath?: string;
  SamplePath?: string;
  VariationPath?: string;
}
export interface GeneralConfig {
  Measurement: string;
  POI: string;
  /** `file:histogram` with placeholders {RegionPath}, {SamplePath}, {VariationPath}. */
  InputPath: string;
  /** cabinetry's template cache folder; accepted and unused (hepflow reads the inputs directly). */
  HistogramFolder?: string;
  VariationPath?: string;
  /** Parameters to hold fixed: [{Name, Value}]. */
  Fixed?: { Name: string; Value: number }[];
  /** hepflow's key (not cabinetry's): the label of plots made from this fit; each part absent = not drawn. */
  Plot?: PlotLabelConfig;
}
/** `General.Plot`: experiment label of the plots; command-line `--experiment --status --lumi --energy` override it. */
export interface PlotLabelConfig {
  Experiment?: "CMS" | "ATLAS" | "none";
  /** Text after the experiment name, e.g. "Open Data", "Internal". */
  Status?: string;
  /** Integrated luminosity in fb⁻¹. */
  Lumi?: number;
  /** Centre-of-mass energy in TeV. */
  Energy?: number;
}
export interface RegionConfig extends PathOverrides {
  Name: string;
  Variable?: string;
  Filter?: string;
  /** Target bin edges; input histograms are rebinned onto them (edges must coincide with input edges). */
  Binning?: number[];
}
/** Ntuple inputs (cabinetry): the tree, per-event weight and selection of a sample or variation. */
export interface NtupleOverrides {
  Tree?: string;
  Weight?: string;
  Filter?: string;
  Variable?: string;
}
export interface SampleConfig extends PathOverrides, Omit<NtupleOverrides, "Variable"> {
  Name: string;
  Data?: boolean;
  /** Leave the sample out of the staterror modifier. */
  DisableStaterror?: boolean;
  Regions?: string | string[];
}
export interface NormFactorConfig {
  Name: string;
  Samples?: string | string[];
  Regions?: string | string[];
  Nominal?: number;
  Bounds?: [number, number];
  Fixed?: boolean;
}
export interface VariationConfig extends PathOverrides, NtupleOverrides {
  /** Relative yield change for Normalization systematics (0.03 = +3%). */
  Normalization?: number;
  /** Mirror the up variation around the nominal instead of reading a down template. */
  Symmetrize?: boolean;
}
export interface SystematicConfig {
  Name: string;
  Type: "Normalization" | "NormPlusShape";
  Up: VariationConfig;
  Down: VariationConfig;
  Samples?: string | string[];
  Regions?: string | string[];
  /** Modifier name in the workspace (default: Name). */
  ModifierName?: string;
}
export interface BuilderConfig {
  General: GeneralConfig;
  Regions: RegionConfig[];
  Samples: SampleConfig[];
  NormFactors: NormFactorConfig[];
  Systematics?: SystematicConfig[];
}

const str = { type: "string" };
const strOrList = { anyOf: [str, { type: "array", items: str, minItems: 1 }] };
const paths = { RegionPath: str, SamplePath: str, VariationPath: str };
const variation = {
  type: "object",
  properties: { ...paths, Normalization: { type: "number" }, Symmetrize: { type: "boolean" }, Tree: str, Weight: str, Filter: str, Variable: str },
  additionalProperties: false,
};

/** JSON schema of the builder configuration (unknown keys are errors, so typos are caught). */
export const BUILDER_CONFIG_SCHEMA = {
  type: "object",
  properties: {
    General: {
      type: "object",
      properties: {
        Measurement: str,
        POI: str,
        InputPath: { type: "string", minLength: 1 },
        HistogramFolder: str,
        VariationPath: str,
        Fixed: { type: "array", items: { type: "object", properties: { Name: str, Value: { type: "number" } }, required: ["Name", "Value"], additionalProperties: false } },
        Plot: {
          type: "object",
          properties: { Experiment: { enum: ["CMS", "ATLAS", "none"] }, Status: str, Lumi: { type: "number", exclusiveMinimum: 0 }, Energy: { type: "number", exclusiveMinimum: 0 } },
          additionalProperties: false,
        },
      },
      required: ["Measurement", "POI", "InputPath"],
      additionalProperties: false,
    },
    Regions: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        properties: { Name: str, Variable: str, Filter: str, Binning: { type: "array", items: { type: "number" }, minItems: 2 }, ...paths },
        required: ["Name"],
        additionalProperties: false,
      },
    },
    Samples: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        properties: { Name: str, Data: { type: "boolean" }, DisableStaterror: { type: "boolean" }, Regions: strOrList, Tree: str, Weight: str, Filter: str, ...paths },
        required: ["Name"],
        additionalProperties: false,
      },
    },
    NormFactors: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        properties: {
          Name: str,
          Samples: strOrList,
          Regions: strOrList,
          Nominal: { type: "number" },
          Bounds: { type: "array", items: { type: "number" }, minItems: 2, maxItems: 2 },
          Fixed: { type: "boolean" },
        },
        required: ["Name"],
        additionalProperties: false,
      },
    },
    Systematics: {
      type: "array",
      items: {
        type: "object",
        properties: {
          Name: str,
          Type: { enum: ["Normalization", "NormPlusShape"] },
          Up: variation,
          Down: variation,
          Samples: strOrList,
          Regions: strOrList,
          ModifierName: str,
          Smoothing: { type: "object" },
        },
        required: ["Name", "Type", "Up", "Down"],
        additionalProperties: false,
      },
    },
  },
  required: ["General", "Regions", "Samples", "NormFactors"],
  additionalProperties: false,
};

/* ajv and yaml load with the first config (not when stats commands that never build start up). */
const requireLib = createRequire(import.meta.url);
const Ajv = () => (requireLib("ajv") as { default: new (o: object) => { compile: (s: object) => ValidateFunction } }).default;
const parseYaml = (text: string): unknown => (requireLib("yaml") as typeof import("yaml")).parse(text);
let compiled: ValidateFunction | undefined;

/** Key path of an ajv error in the config's own notation, e.g. `Systematics[3].Up.Tag`. */
function keyPath(e: ErrorObject): string {
  const parts = e.instancePath
    .split("/")
    .slice(1)
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  const p = e.params as Record<string, unknown>;
  if (e.keyword === "additionalProperties") parts.push(String(p.additionalProperty));
  if (e.keyword === "required") parts.push(String(p.missingProperty));
  let out = "";
  for (const s of parts) out += /^\d+$/.test(s) ? `[${s}]` : out === "" ? s : `.${s}`;
  return out || "(top level)";
}

function describe(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "required":
      return "is required but missing";
    case "additionalProperties":
      return "is not a known key (check the spelling)";
    case "enum":
      return `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
    case "anyOf":
      return "must be a string or a list of strings";
    default:
      return e.message ?? e.keyword;
  }
}

/** Check a parsed config against the schema and cross-references; throws CONFIG_INVALID naming the key path. */
export function validateBuilderConfig(value: unknown, file?: string): BuilderConfig {
  if (!compiled) compiled = new (Ajv())({ allErrors: true, strict: false }).compile(BUILDER_CONFIG_SCHEMA);
  if (!compiled(value)) {
    // prefer the deepest error (anyOf reports both its branches and itself at the same place)
    const errs = (compiled.errors ?? []).slice().sort((a, b) => keyPath(b).length - keyPath(a).length);
    const anyOf = errs.find((e) => e.keyword === "anyOf");
    const e = anyOf && errs.every((x) => x.instancePath.startsWith(anyOf.instancePath)) ? anyOf : errs[0];
    if (!e) throw new HepflowError("CONFIG_INVALID", "does not match the builder configuration schema", { file });
    const where = keyPath(e);
    throw new HepflowError("CONFIG_INVALID", `${where} ${describe(e)}`, { file, object: where });
  }
  const cfg = value as BuilderConfig;
  checkReferences(cfg, file);
  return cfg;
}

function asList(v: string | string[] | undefined): string[] | undefined {
  return v === undefined ? undefined : Array.isArray(v) ? v : [v];
}

/** The names a Samples/Regions selector picks (all when absent). */
export function selected(selector: string | string[] | undefined, name: string): boolean {
  const l = asList(selector);
  return l === undefined || l.includes(name);
}

function checkReferences(cfg: BuilderConfig, file?: string): void {
  const fail = (where: string, msg: string): never => {
    throw new HepflowError("CONFIG_INVALID", `${where} ${msg}`, { file, object: where });
  };
  const unique = (list: { Name: string }[], key: string) => {
    const seen = new Set<string>();
    list.forEach((x, i) => {
      if (seen.has(x.Name)) fail(`${key}[${i}].Name`, `repeats the name "${x.Name}"`);
      seen.add(x.Name);
    });
  };
  unique(cfg.Regions, "Regions");
  unique(cfg.Samples, "Samples");
  unique(cfg.NormFactors, "NormFactors");
  unique(cfg.Systematics ?? [], "Systematics");
  const regions = cfg.Regions.map((r) => r.Name);
  const samples = cfg.Samples.filter((s) => !s.Data).map((s) => s.Name);
  if (cfg.Samples.filter((s) => s.Data).length !== 1) fail("Samples", "must contain exactly one sample with Data: true");
  if (samples.length === 0) fail("Samples", "must contain at least one simulated (non-Data) sample");
  const check = (sel: string | string[] | undefined, known: string[], where: string, what: string) => {
    const l = asList(sel) ?? [];
    l.forEach((n, i) => {
      if (!known.includes(n)) fail(Array.isArray(sel) ? `${where}[${i}]` : where, `names the ${what} "${n}", which is not defined (known: ${known.join(", ")})`);
    });
  };
  cfg.Samples.forEach((s, i) => check(s.Regions, regions, `Samples[${i}].Regions`, "region"));
  cfg.NormFactors.forEach((n, i) => {
    check(n.Samples, samples, `NormFactors[${i}].Samples`, "sample");
    check(n.Regions, regions, `NormFactors[${i}].Regions`, "region");
    if (n.Bounds && !(n.Bounds[0] <= n.Bounds[1])) fail(`NormFactors[${i}].Bounds`, "must be [low, high] with low <= high");
    if (n.Bounds && n.Nominal !== undefined && (n.Nominal < n.Bounds[0] || n.Nominal > n.Bounds[1])) fail(`NormFactors[${i}].Nominal`, "lies outside Bounds");
  });
  (cfg.Systematics ?? []).forEach((s, i) => {
    check(s.Samples, samples, `Systematics[${i}].Samples`, "sample");
    check(s.Regions, regions, `Systematics[${i}].Regions`, "region");
    if (s.Up.Symmetrize && s.Down.Symmetrize) fail(`Systematics[${i}].Down.Symmetrize`, "cannot be set together with Up.Symmetrize");
    if (s.Type === "Normalization" && s.Up.Symmetrize) fail(`Systematics[${i}].Up.Symmetrize`, "is not supported for Normalization systematics; give Up.Normalization");
    if (s.Type === "Normalization") {
      if (s.Up.Normalization === undefined) fail(`Systematics[${i}].Up.Normalization`, "is required for a Normalization systematic");
      if (s.Down.Normalization === undefined && !s.Down.Symmetrize) fail(`Systematics[${i}].Down.Normalization`, "is required for a Normalization systematic (or set Down.Symmetrize)");
    } else if (s.Up.Normalization !== undefined || s.Down.Normalization !== undefined) {
      fail(`Systematics[${i}].${s.Up.Normalization !== undefined ? "Up" : "Down"}.Normalization`, "only applies to Type: Normalization");
    }
  });
  const params = new Set([...cfg.NormFactors.map((n) => n.Name), ...(cfg.Systematics ?? []).map((s) => s.ModifierName ?? s.Name)]);
  if (!params.has(cfg.General.POI)) fail("General.POI", `names "${cfg.General.POI}", which is neither a NormFactor nor a systematic`);
}

/** Read and validate a YAML (or JSON) builder config file. */
export function loadBuilderConfig(file: string): BuilderConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new HepflowError("CONFIG_INVALID", `cannot read the config (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { file }, { cause: e });
  }
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (e) {
    throw new HepflowError("CONFIG_INVALID", `not valid YAML: ${(e as Error).message}`, { file }, { cause: e });
  }
  return validateBuilderConfig(value, file);
}
