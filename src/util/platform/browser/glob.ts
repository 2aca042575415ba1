// picomatch's POSIX build: the default one asks node:path which separator the platform uses.
// @ts-expect-error picomatch ships no type declarations
import picomatch from "picomatch/posix";
import type * as Node from "../node/glob.js";

export const globMatcher: typeof Node.globMatcher = (glob, options) => (picomatch as typeof Node.globMatcher)(glob, options);
