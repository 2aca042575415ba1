/**
 * A decompression thread of the basket pool (parallel.ts): decompresses each ROOT compressed object
 * of a batch and either writes its values into their place in the shared output column (checked
 * as the reading thread's sink checks them) or hands the decompressed bytes back, transferred.
 * Replies go several objects a message.
 */
import { parentPort } from "node:worker_threads";
import { decompressInto, decompressionTotals } from "../compression.js";
import type { InflateReply, InflateTask } from "./parallel.js";
import { place } from "./placement.js";

/** Decompressed bytes answered per message: fewer wake-ups of the reading thread, which still gets the first baskets early. */
const FLUSH_BYTES = 4 << 20;

/** Reused decompression buffer for baskets whose values are placed (their bytes never leave this thread). */
let scratch = new Uint8Array(0);

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
    const counted = (): [number, number, number] => [decompressionTotals.objects - o, decompressionTotals.compressedBytes - c, decompressionTotals.uncompressedBytes - u];
    try {
      const body = new Uint8Array(t.buf, t.at, t.len);
      let out: Uint8Array;
      if (t.place && t.len === t.objLen)
        out = body; // stored raw: placed from where it lies
      else {
        if (t.place && scratch.length < t.objLen) scratch = new Uint8Array(Math.max(t.objLen, 2 * scratch.length));
        out = t.place ? scratch.subarray(0, t.objLen) : new Uint8Array(t.objLen);
        decompressInto(body, out);
      }
      if (t.place && place(out, t, t.place)) replies.push({ id: t.id, placed: true, counted: counted() });
      else {
        if (t.place) out = out.slice();
        replies.push({ id: t.id, out: out.buffer as ArrayBuffer, counted: counted() });
        transfer.push(out.buffer as ArrayBuffer);
      }
      bytes += t.objLen;
    } catch {
      // the caller decompresses this one itself, so the error it raises is the serial read's, with its place
      replies.push({ id: t.id, failed: true });
    }
    if (bytes >= FLUSH_BYTES) flush();
  }
  if (replies.length > 0) flush();
});
