/** Worker-thread entry: writes the one file described by workerData and reports back. */
import { parentPort, workerData } from "node:worker_threads";
import { writeSampleFile, type FileJob } from "./file.js";

writeSampleFile(workerData as FileJob).then(
  () => parentPort!.postMessage({}),
  (e: unknown) => parentPort!.postMessage({ error: e instanceof Error ? e.message : String(e) }),
);
