/** Worker-thread entry: runs one transform job (workerData) and reports the result or the staged error. */
import { parentPort, workerData } from "node:worker_threads";
import { transformFile, StageError, type TransformJob } from "./transformer.js";

transformFile(workerData as TransformJob, (events) => parentPort!.postMessage({ events })).then(
  (result) => parentPort!.postMessage({ result }),
  (e: unknown) =>
    parentPort!.postMessage({
      error: e instanceof StageError ? { stage: e.stage, message: e.message, retriable: e.retriable } : { stage: "transform", message: e instanceof Error ? e.message : String(e), retriable: false },
    }),
);
