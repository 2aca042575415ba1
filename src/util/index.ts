export { HepflowError, isHepflowError } from "./errors.js";
export type { ErrorPlace } from "./errors.js";
export type { ProgressEvent, ProgressListener } from "./progress.js";
export { compiledModule } from "./modules.js";
export { perElementType } from "./mono.js";
export { Jagged, isJagged, columnLength } from "./columns.js";
export type { Column, Columns, NumericArray, StringColumn } from "./columns.js";
export { claimOutputFile, writeOutputFile, prepareOutput, withOutputDir, trackTemporary, temporaryPath } from "./output.js";
export type { OutputRule, OutputDir } from "./output.js";
