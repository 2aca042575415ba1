/** Worker-thread entry of runGrid: builds the background once from workerData, then one grid point per message. */
import { parentPort, workerData } from "node:worker_threads";
import { gridEvaluator } from "./grid.js";
import type { GridSetup, GridTask } from "./grid.js";

const evaluate = gridEvaluator(workerData as GridSetup);
parentPort?.on("message", (task: GridTask) => {
  try {
    parentPort!.postMessage({ row: evaluate(task.index) });
  } catch (e) {
    parentPort!.postMessage({ error: (e as Error).message });
  }
});
