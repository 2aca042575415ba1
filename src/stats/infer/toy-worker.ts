/** Worker-thread entry of the toy calculator: receives ToyTasks, replies with their test statistics. */
import { parentPort } from "node:worker_threads";
import { runToys } from "./toys.js";
import type { ToyTask } from "./toys.js";

parentPort?.on("message", (task: ToyTask & { i: number }) => {
  try {
    const r = runToys(task);
    parentPort!.postMessage({ ...r, i: task.i }, [r.values.buffer as ArrayBuffer]);
  } catch (e) {
    parentPort!.postMessage({ values: new Float64Array(0), unconverged: 0, i: task.i, error: (e as Error).message });
  }
});
