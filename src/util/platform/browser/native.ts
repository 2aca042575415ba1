// A page has no Node-API addons: the kernels run as WebAssembly (src/array/simd.ts).
import type * as Node from "../node/native.js";

export const nativeAddon: typeof Node.nativeAddon = () => ({ lib: null, why: "no native addons in a browser" });
export const kernelsAddon: typeof Node.kernelsAddon = () => ({ lib: null, why: "no native addons in a browser" });
