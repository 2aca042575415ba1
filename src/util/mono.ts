/**
 * Monomorphic copies of loop kernels. V8 collects type feedback per function, so a loop that
 * reads Float32Array in one call, Int32Array in the next and Uint8Array in a third turns
 * megamorphic and runs about four times slower than a loop that only ever sees one type —
 * and closures made from one function literal share that feedback. `perElementType` compiles a
 * separate copy of the kernel for each element type of its first argument.
 */
import { HepflowError } from "./errors.js";

type Kernel = (...args: never[]) => unknown;

/**
 * A dispatcher running `kernel` through a copy compiled for the constructor of its first
 * argument. `kernel` must be self-contained: it may use its parameters and globals such as
 * Math, but nothing else from its module (the copy is rebuilt from its source text). At most
 * five parameters. `name` labels the copies in CPU profiles.
 */
export function perElementType<K extends Kernel>(kernel: K, name = kernel.name || "kernel"): K {
  if (kernel.length > 5) throw new HepflowError("ARRAY_UNSUPPORTED", `perElementType: kernel "${kernel.name}" has ${kernel.length} parameters; at most 5 are supported`);
  const source = `"use strict"; return (${kernel.toString()});`;
  const copies = new Map<unknown, (x: unknown, a: unknown, b: unknown, c: unknown, d: unknown) => unknown>();
  const dispatch = (x: { constructor: unknown }, a: unknown, b: unknown, c: unknown, d: unknown): unknown => {
    let f = copies.get(x.constructor);
    if (f === undefined) {
      // the sourceURL names each copy in profiles: hepflow-kernel/<name>/<element type>
      const type = (x.constructor as { name?: string } | undefined)?.name ?? "unknown";
      f = new Function(`${source}\n//# sourceURL=hepflow-kernel/${name}/${type}`)() as (x: unknown, a: unknown, b: unknown, c: unknown, d: unknown) => unknown;
      copies.set(x.constructor, f);
    }
    return f(x, a, b, c, d);
  };
  return dispatch as unknown as K;
}
