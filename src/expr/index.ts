/** expr/: the column expression language (draw, skim, cabinetry Filter/Weight/Variable) — parsed once, compiled to column kernels. */
export { parse } from "./parse.js";
export type { Node, BinaryOp, UnaryOp } from "./ast.js";
export { compile, Expression } from "./compile.js";
export type { BranchDesc, EvalContext } from "./compile.js";
export { toColumn, allocKind } from "./values.js";
export type { Value, Kind, ScalarValue, FlatValue, JaggedValue } from "./values.js";
export { closeNames } from "./errors.js";
export { draw, splitAxes, niceRange } from "./draw.js";
export type { DrawOptions, DrawResult, DrawAxis } from "./draw.js";
export { skim, schemaOf } from "./skim.js";
export type { SkimOptions, SkimResult, ComputedColumn } from "./skim.js";
