import type { ByteRange } from "./source.js";

/** A contiguous stretch of a file, [start, end). */
export interface Span {
  start: number;
  end: number;
}

/** Merges ranges that overlap or lie within `gap` bytes of each other; returns sorted spans. */
export function coalesce(ranges: readonly ByteRange[], gap: number): Span[] {
  const sorted = [...ranges].sort((a, b) => a.offset - b.offset);
  const out: Span[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.offset <= last.end + gap) last.end = Math.max(last.end, r.offset + r.length);
    else out.push({ start: r.offset, end: r.offset + r.length });
  }
  return out;
}

/** Index of the last span starting at or before `offset` (spans are sorted and disjoint). */
export function lastStartingAtOrBefore(spans: readonly Span[], offset: number): number {
  let lo = 0,
    hi = spans.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (spans[mid]!.start <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** At most `max` requests of one remote source in flight; the rest wait in arrival order. */
export class InFlightLimit {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly max: number) {}

  /** Runs `fn` once a slot is free and frees the slot when it settles. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((r) => this.waiting.push(r));
    else this.active++;
    try {
      return await fn();
    } finally {
      // the slot passes straight to the next waiter, so `active` stays counted
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
