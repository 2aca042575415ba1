/**
 * hepflow's own Node-API addons (native/, built by the package's install step when a compiler is
 * there): hepflow_inflate (libdeflate, for zlib baskets) and hepflow_kernels (float32 column kernels
 * in AVX-512/AVX2/SSE2). Each is looked for once per thread — a worker of the basket pool or of the
 * executor loads its own copy — and is null, with the reason, where it is not built; every caller
 * has a portable path. The browser build (../browser/native.ts) has none.
 */
import { createRequire } from "node:module";
import { HepflowError } from "../../errors.js";

export type AddonName = "hepflow_inflate" | "hepflow_kernels";
export interface Loaded<T> {
  lib: T | null;
  /** Why `lib` is null. */
  why: string;
}

const requireAddon = createRequire(import.meta.url);
const cache = new Map<AddonName, Loaded<unknown>>();

/** The addon, or null with why it could not be loaded. */
export function nativeAddon<T>(name: AddonName): Loaded<T> {
  let hit = cache.get(name);
  if (!hit) {
    try {
      // dist/util/platform/node/ and src/util/platform/node/ are both four levels below the package root
      hit = { lib: requireAddon(`../../../../native/build/Release/${name}.node`), why: "" };
    } catch (e) {
      hit = { lib: null, why: (e as Error).message.split("\n")[0]! };
    }
    cache.set(name, hit);
  }
  return hit as Loaded<T>;
}

/**
 * The kernels addon as chosen by HEPFLOW_KERNELS: unset, the addon where it is built; `wasm`, none
 * (benchmarks compare the two in one build); `native`, the addon or an error saying why not.
 */
export function kernelsAddon<T>(): Loaded<T> {
  const want = process.env.HEPFLOW_KERNELS;
  if (want === "wasm") return { lib: null, why: "HEPFLOW_KERNELS=wasm" };
  const k = nativeAddon<T>("hepflow_kernels");
  if (!k.lib && want === "native") throw new HepflowError("CONFIG_INVALID", `HEPFLOW_KERNELS=native but the kernels addon is not built (npm run build:native; needs a C++ compiler): ${k.why}`);
  return k;
}
