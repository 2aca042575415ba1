/**
 * Decompression threads in a page: none. The page's codecs are asynchronous already (the platform's
 * DecompressionStream and WASM decoders), so baskets are decompressed concurrently without a pool.
 */
import type * as Node from "../node/parallel.js";

export const poolFor: typeof Node.poolFor = async () => null;

export const decompressionWorkers: typeof Node.decompressionWorkers = (workers) => {
  if (workers !== undefined && workers > 0) throw new Error("decompressionWorkers: a page has no decompression threads; its codecs already run concurrently");
};
