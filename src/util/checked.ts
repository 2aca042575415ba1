import { type ErrorPlace, HepflowError } from "./errors.js";

/**
 * `list[i]` for an index that comes from a user's file (a workspace, a datacard, a config, a ROOT file's
 * metadata): a missing entry is the file's fault, so it becomes an error naming what was expected rather
 * than an undefined that surfaces later as NaN or a TypeError.
 */
export function itemAt<T>(list: ArrayLike<T>, i: number, what: string, code: string, place: ErrorPlace = {}): T {
  const v = list[i];
  if (v === undefined) throw new HepflowError(code, `${what} is missing (entry ${i} of ${list.length})`, place);
  return v;
}

/** The one element of a list that should hold exactly one (the file's only tree, the only match), else undefined. */
export function onlyItem<T>(list: readonly T[]): T | undefined {
  return list.length === 1 ? list[0] : undefined;
}
