/**
 * Decompression threads for one big file (Node): the pool lives in ../../ttree/parallel.ts. The
 * browser build (../browser/parallel.ts) has the same names and no threads.
 */
export { poolFor, decompressionWorkers } from "../../ttree/parallel.js";
