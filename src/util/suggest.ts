// "Did you mean" for names a user types: branches, fields, objects, parameters. A dozen lines of
// Levenshtein rather than a dependency: the lists are short (a file's branches, a directory's
// keys), the distance is computed only on the error path, and ranking needs the prefix rule below,
// which no string-distance package offers.

/** Levenshtein distance (insertions, deletions, substitutions of one character). */
function distance(a: string, b: string): number {
  const m = a.length,
    n = b.length;
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = [i];
    for (let j = 1; j <= n; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[n]!;
}

/** Up to `k` names close to `name` (case-insensitive edit distance, or sharing a prefix). */
export function closeNames(name: string, names: Iterable<string>, k = 5): string[] {
  const lower = name.toLowerCase();
  const limit = Math.max(2, Math.floor(name.length / 3));
  const scored: Array<[number, string]> = [];
  for (const cand of names) {
    const c = cand.toLowerCase();
    let d = distance(lower, c);
    if (d > limit && (c.startsWith(lower) || lower.startsWith(c)) && Math.min(c.length, lower.length) >= 3) d = limit;
    if (d <= limit) scored.push([d, cand]);
  }
  scored.sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1]));
  return scored.slice(0, k).map((s) => s[1]);
}

/** ` (did you mean "A" or "B"?)` for the names close to `name`, or "" when none is. */
export function didYouMean(name: string, names: Iterable<string>, k = 3): string {
  const close = closeNames(name, new Set(names), k).filter((c) => c !== name);
  return close.length ? ` (did you mean ${close.map((c) => `"${c}"`).join(" or ")}?)` : "";
}
