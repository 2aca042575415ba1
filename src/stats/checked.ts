import { HepflowError, type ErrorPlace } from "../util/index.js";

/**
 * `list[i]` for an index that comes from a user's file (a workspace, a datacard, a config): a missing
 * entry is the file's fault, so it becomes an error naming what was expected rather than an undefined
 * that surfaces later as NaN.
 */
export function itemAt<T>(list: ArrayLike<T>, i: number, what: string, code: string, place: ErrorPlace = {}): T {
  const v = list[i];
  if (v === undefined) throw new HepflowError(code, `${what} is missing (entry ${i} of ${list.length})`, place);
  return v;
}
