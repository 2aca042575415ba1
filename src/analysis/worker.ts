/**
 * Worker-thread side of the local executor: loads the processor (and opener) by path, starts
 * reading every chunk as soon as it is assigned (readahead), processes chunks one at a time
 * in arrival order, announces each chunk it starts computing (so a fault is charged to that
 * chunk only) and posts each chunk's accumulator back.
 */
import { parentPort, workerData } from "node:worker_threads";
import { loadOpener, loadProcessor } from "./processor.js";
import type { WorkerInit } from "./pool.js";
import { ChunkRunner, errorInfo } from "./runner.js";
import type { WorkItem } from "./runner.js";

async function main(): Promise<void> {
  const init = workerData as WorkerInit;
  const port = parentPort!;
  let runner: ChunkRunner;
  try {
    runner = new ChunkRunner(await loadProcessor(init.processor), await loadOpener(init.opener), init.params, init.snapshotDir);
  } catch (e) {
    port.postMessage({ type: "fatal", error: errorInfo(e) });
    return;
  }
  let chain: Promise<void> = Promise.resolve();
  port.on("message", (msg: { type: string; item?: WorkItem }) => {
    if (msg.type === "stop") {
      void chain.then(() => runner.close()).then(() => port.close());
      return;
    }
    const item = msg.item!;
    const prepared = runner.prepare(item);
    prepared.catch(() => undefined);
    chain = chain.then(async () => {
      port.postMessage({ type: "start", index: item.index });
      try {
        const out = await runner.run(item, prepared);
        port.postMessage({ type: "result", output: out }); // throws DataCloneError for what cannot cross
      } catch (e) {
        port.postMessage({ type: "error", index: item.index, error: errorInfo(e) });
      }
    });
  });
  port.postMessage({ type: "ready" });
}

void main();
