/**
 * Compile-time only: each browser module of the platform seams offers what its Node twin does,
 * so a page's bundle cannot miss a name the code uses. Nothing here runs.
 */
import type * as NodeCodecs from "./node/codecs.js";
import type * as BrowserCodecs from "./browser/codecs.js";

export type CodecsMatch = typeof BrowserCodecs extends typeof NodeCodecs ? true : never;
const codecsMatch: CodecsMatch = true;
void codecsMatch;
