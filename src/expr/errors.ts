import { HepflowError } from "../util/index.js";

/**
 * An error at a span of the expression: the message, the expression and a caret line under
 * the offending characters, so a user sees where without counting.
 */
export function exprError(code: string, message: string, source: string, pos: number, end = pos + 1, hint?: string): HepflowError {
  const width = Math.max(1, Math.min(end, source.length + 1) - pos);
  const caret = " ".repeat(Math.max(0, pos)) + "^".repeat(width);
  const text = `${message} (at character ${pos + 1})\n  ${source}\n  ${caret}${hint ? "\n" + hint : ""}`;
  return new HepflowError(code, text, { object: `expression "${source}"` });
}

/** Levenshtein distance, capped: enough to rank branch-name suggestions. */
function distance(a: string, b: string): number {
  const m = a.length, n = b.length;
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
