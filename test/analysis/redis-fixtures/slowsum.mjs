// Test processor for distributed runs: the sums of ../fixtures/sumproc.mjs after blocking its
// thread for `hold_ms` (a CPU-bound chunk as far as the event loop can tell), so a worker can be
// killed or stopped while it computes.
import { process as sum } from "../fixtures/sumproc.mjs";

export const columns = ["x"];
export const parameters = { hold_ms: { type: "int", default: 0, min: 0, help: "block the thread this long per chunk" } };

export async function process(events, meta) {
  if (meta.params.hold_ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, meta.params.hold_ms);
  return sum(events, meta);
}
