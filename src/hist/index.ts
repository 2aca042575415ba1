/** hist/: histograms as axes × storage — fill from columns, reshape, merge, serialize, convert to/from ROOT. */
export { Axis, EdgeAxis, RegularAxis, VariableAxis, IntegerAxis, BooleanAxis, StrCategoryAxis, IntCategoryAxis } from "./axis.js";
export { Regular, Variable, Integer, Boolean, StrCategory, IntCategory, axisFromJSON } from "./axis.js";
export type { AxisOptions, FlowOptions, CategoryOptions, AxisJSON } from "./axis.js";
export { Hist } from "./hist.js";
export type { FillValue, FillOptions, HistOptions } from "./hist.js";
export { STORAGE_FIELDS } from "./storage.js";
export type { StorageKind } from "./storage.js";
export { project, sumOver, pick, slice, rebin, rebinTo } from "./ops.js";
export { histToJSON, histFromJSON, toAccumulator, fromAccumulator, isHistAccumulator, scaleHistAccumulator } from "./serialize.js";
export type { HistJSON, HistAccumulator } from "./serialize.js";
export { toRoot, fromRoot } from "./root.js";
