/**
 * Worker-thread side of the local executor: loads the processor (and opener) by path, starts
 * reading every chunk as soon as it is assigned (readahead), processes chunks one at a time
 * in arrival order and posts each chunk's accumulator back.
 */
import { parentPort, workerData } from "node:worker_threads";
import { loadOpener, loadProcessor } from "./processor.js";
import { ChunkRunner, errorInfo } from "./runner.js";
import type { WorkItem } from "./runner.js";

interface Init {
  processor: string;
  opener?: string;
}

async function main(): Promise<void> {
  const init = workerData as Init;
  const port = parentPort!;
  let runner: ChunkRunner;
  try {
    runner = new ChunkRunner(await loadProcessor(init.processor), await loadOpener(init.opener));
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
      try {
        const out = await runner.run(item, prepared);
        port.postMessage({ type: "result", output: out });
      } catch (e) {
        port.postMessage({ type: "error", index: item.index, error: errorInfo(e) });
      }
    });
  });
  port.postMessage({ type: "ready" });
}

void main();
