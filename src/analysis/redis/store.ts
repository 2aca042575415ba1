/**
 * Chunk results on their way back to the client. An accumulator is serialised with V8's
 * structured serialisation (typed arrays keep their type and every bit); a small one travels
 * inline in the job's return value, a large one goes to a content-addressed directory shared by
 * workers and client and only its SHA-256 travels, so Redis holds no blobs.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { deserialize, serialize } from "node:v8";
import { HepflowError } from "../../util/index.js";
import type { Accumulator } from "../accumulate.js";

/** An accumulator as it travels: inline (base64) or by digest into the result store. */
export type StoredResult = { inline: string } | { digest: string; bytes: number };

/** Results up to this size (serialised bytes) travel inline in Redis by default. */
export const DEFAULT_INLINE_LIMIT = 256 * 1024;

const blobPath = (store: string, digest: string) => join(store, digest.slice(0, 2), digest);

/** Serialise `acc`; above `inlineLimit` bytes it is written to `store` (which must then be given). */
export function putResult(acc: Accumulator, store: string | undefined, inlineLimit: number): StoredResult {
  const bytes = serialize(acc);
  if (bytes.length <= inlineLimit) return { inline: bytes.toString("base64") };
  if (!store)
    throw new HepflowError("RESULT_TOO_LARGE", `the chunk's accumulator is ${bytes.length} bytes, above the ${inlineLimit} bytes that travel through Redis; start the workers and the client with --store DIR on a shared file system`);
  const digest = createHash("sha256").update(bytes).digest("hex");
  const p = blobPath(store, digest);
  if (!existsSync(p)) {
    mkdirSync(join(store, digest.slice(0, 2)), { recursive: true });
    const tmp = `${p}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    writeFileSync(tmp, bytes);
    renameSync(tmp, p); // content-addressed: a concurrent writer writes the same bytes
  }
  return { digest, bytes: bytes.length };
}

/** Read a result back; a blob whose content does not match its digest is an error, never a wrong number. */
export function getResult(r: StoredResult, store: string | undefined): Accumulator {
  if ("inline" in r) return deserialize(Buffer.from(r.inline, "base64")) as Accumulator;
  if (!store) throw new HepflowError("RESULT_STORE", `a worker put a ${r.bytes}-byte result in its result store (${r.digest}); give the client the same --store DIR`);
  const p = blobPath(store, r.digest);
  let bytes: Buffer;
  try {
    bytes = readFileSync(p);
  } catch (e) {
    throw new HepflowError("RESULT_STORE", `result ${r.digest} is not in the result store (${(e as Error).message}); client and workers need the same shared --store`, { file: p });
  }
  if (createHash("sha256").update(bytes).digest("hex") !== r.digest) throw new HepflowError("RESULT_STORE", `result ${r.digest} in the store does not match its digest (corrupted or truncated)`, { file: p });
  return deserialize(bytes) as Accumulator;
}
