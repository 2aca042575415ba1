/** Worker-thread entry of the toy calculator: receives ToyTasks, replies with their test statistics. */
import { parentPort } from "node:worker_threads";
import { Model } from "../model.js";
import { runToys } from "./toys.js";
import type { ToyTask } from "./toys.js";

// the last model, by key: a hypotest sends many chunks (and a toy limit many hypotests) of one model
let cached: { key: string; model: Model } | undefined;

parentPort?.on("message", (task: ToyTask & { i: number }) => {
  try {
    if (cached?.key !== task.modelKey) cached = { key: task.modelKey, model: new Model(task.spec, task.modelOptions) };
    const r = runToys(task, cached.model);
    parentPort!.postMessage({ ...r, i: task.i }, [r.values.buffer as ArrayBuffer]);
  } catch (e) {
    parentPort!.postMessage({ values: new Float64Array(0), unconverged: 0, i: task.i, error: (e as Error).message });
  }
});
