import { createRequire } from "node:module";

type Matcher = (name: string) => boolean;
let lib: ((glob: string, options?: { dot?: boolean }) => Matcher) | undefined;

/** picomatch, loaded on the first glob: most commands never match a pattern, and start-up stays short. */
export function globMatcher(glob: string, options?: { dot?: boolean }): Matcher {
  lib ??= createRequire(import.meta.url)("picomatch") as (glob: string, options?: { dot?: boolean }) => Matcher;
  return lib(glob, options);
}
