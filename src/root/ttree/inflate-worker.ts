/**
 * A decompression thread of the basket pool (parallel.ts): decompresses each ROOT compressed object
 * of a batch into memory of its own, converts its values as the task says, and hands that memory
 * back (transferred, not copied), several objects a message.
 */
import { parentPort } from "node:worker_threads";
import { swapInPlace } from "#root/codecs";
import { decompressInto, decompressionTotals } from "../compression.js";
import { copySwapped } from "./byteswap.js";
import type { Conversion, InflateReply, InflateTask } from "./parallel.js";

/** Decompressed bytes answered per message: fewer wake-ups of the reading thread, which still gets the first baskets early. */
const FLUSH_BYTES = 1 << 20;

parentPort!.on("message", (tasks: InflateTask[]) => {
  let replies: InflateReply[] = [],
    transfer: ArrayBuffer[] = [],
    bytes = 0;
  const flush = (): void => {
    parentPort!.postMessage(replies, transfer);
    replies = [];
    transfer = [];
    bytes = 0;
  };
  for (const t of tasks) {
    const o = decompressionTotals.objects,
      c = decompressionTotals.compressedBytes,
      u = decompressionTotals.uncompressedBytes;
    try {
      const out = new Uint8Array(t.objLen);
      decompressInto(new Uint8Array(t.buf, t.at, t.len), out);
      const converted = t.convert ? convert(out, t.border, t.entries, t.convert) : 0;
      replies.push({ id: t.id, out: out.buffer, converted, counted: [decompressionTotals.objects - o, decompressionTotals.compressedBytes - c, decompressionTotals.uncompressedBytes - u] });
      transfer.push(out.buffer);
      bytes += t.objLen;
    } catch {
      // the caller decompresses this one itself, so the error it raises is the serial read's, with its place
      replies.push({ id: t.id, failed: true });
    }
    if (bytes >= FLUSH_BYTES) flush();
  }
  if (replies.length > 0) flush();
});

/** Converts the values in place as `c` asks, when the basket's layout allows; returns what was done (see InflateReply). */
function convert(out: Uint8Array, border: number, entries: number, c: Conversion): number {
  if (border < 0 || border > out.length || border === 0) return 0;
  const values = out.subarray(0, border);
  if (c.size === 1) {
    // booleans: only a basket of exactly its entries' values (no entry headers to spoil)
    if (c.perEntry === undefined || border !== entries * c.perEntry) return 0;
    for (let i = 0; i < border; i++) if (values[i]! > 1) values[i] = 1;
    return 1;
  }
  if (border % c.size !== 0) return 0;
  return copySwapped(c.size, values, values) || swapInPlace(values, c.size) ? c.size : 0;
}
