/** query/: func_adl-style queries — TS lambdas or Python text → query tree → qastle ↔ → column kernels (via expr/). */
export type { QNode, Span, LinqOp } from "./ast.js";
export { LINQ_OPS, isLinqOp, stripSpans, insertLinqNodes } from "./ast.js";
export { toQastle, parseQastle, pyFloat, pyString } from "./qastle.js";
export { parsePython } from "./python.js";
export { lambdaFromFunction } from "./lambda.js";
export type { Constant, Constants } from "./lambda.js";
export { Query, FromTree } from "./query.js";
export { translate, queryTree, canonicalQuery } from "./translate.js";
export { isUprootRaw, uprootRawPlan } from "./uprootraw.js";
export type { Plan, PlanColumn, PlanAggregate } from "./translate.js";
export { CompiledQuery, runQuery, aggregateQuery } from "./run.js";
export type { QueryChunk, OutputType } from "./run.js";
export { parseQueryText, queryKind } from "./text.js";
export type { QueryLanguage } from "./text.js";
