/**
 * A decompression thread of the basket pool (parallel.ts): decompresses one ROOT compressed object per
 * message into memory of its own and hands that memory back (transferred, not copied).
 */
import { parentPort } from "node:worker_threads";
import { decompressInto, decompressionTotals } from "../compression.js";
import type { InflateReply, InflateTask } from "./parallel.js";

parentPort!.on("message", (t: InflateTask) => {
  const o = decompressionTotals.objects,
    c = decompressionTotals.compressedBytes,
    u = decompressionTotals.uncompressedBytes;
  try {
    const out = new Uint8Array(t.objLen);
    decompressInto(new Uint8Array(t.body), out);
    const reply: InflateReply = { id: t.id, out: out.buffer, counted: [decompressionTotals.objects - o, decompressionTotals.compressedBytes - c, decompressionTotals.uncompressedBytes - u] };
    parentPort!.postMessage(reply, [out.buffer]);
  } catch {
    // the caller decompresses this one itself, so the error it raises is the serial read's, with its place
    parentPort!.postMessage({ id: t.id, failed: true } satisfies InflateReply);
  }
});
