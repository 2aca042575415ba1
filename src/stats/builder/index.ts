/** stats/builder: cabinetry-style YAML config → pyhf workspace. */
export { loadBuilderConfig, validateBuilderConfig, BUILDER_CONFIG_SCHEMA } from "./config.js";
export type { BuilderConfig, RegionConfig, SampleConfig, NormFactorConfig, SystematicConfig, VariationConfig, GeneralConfig, PlotLabelConfig } from "./config.js";
export { buildWorkspace, templatePath, staterrorName } from "./build.js";
export type { BuildOptions } from "./build.js";
export { TemplateReader, templateFromJson, templateFromRoot, rebin } from "./histograms.js";
export type { Template } from "./histograms.js";
export { normalizationModifier, normPlusShapeModifiers } from "./templates.js";
