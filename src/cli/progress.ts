import type { ProgressEvent, ProgressListener } from "../util/index.js";

/** While a command runs inside a workflow step, its progress goes here instead of the (captured) stderr. */
let redirected: ProgressListener | undefined;

/** Sends the progress of commands started while `fn` runs to `listener` (hepflow steps of `hepflow demo`). */
export async function withProgressTo<T>(listener: ProgressListener | undefined, fn: () => Promise<T>): Promise<T> {
  const before = redirected;
  redirected = listener;
  try {
    return await fn();
  } finally {
    redirected = before;
  }
}

/**
 * Renders progress events: a redrawn bar on a TTY, a quiet line every few seconds otherwise
 * (so CI logs stay short).
 */
export function progressPrinter(stream?: NodeJS.WriteStream, intervalMs = 5000): ProgressListener & { end(): void } {
  if (!stream && redirected) {
    const to = redirected;
    const f = ((e: ProgressEvent) => to(e)) as ProgressListener & { end(): void };
    f.end = () => undefined; // the step's caller draws and closes the bar
    return f;
  }
  stream ??= process.stderr;
  let last = 0;
  let lastEvent: ProgressEvent | undefined;
  const line = (e: ProgressEvent): string => {
    const pct = e.total ? ` ${((100 * e.done) / e.total).toFixed(1)}%` : "";
    const tot = e.total !== undefined ? `/${e.total}` : "";
    const rate = e.rate !== undefined ? ` ${fmtRate(e.rate)} ${e.unit}/s` : "";
    const eta = e.rate && e.total ? ` ETA ${Math.max(0, (e.total - e.done) / e.rate).toFixed(0)}s` : "";
    return `${e.label ? e.label + ": " : ""}${e.done}${tot} ${e.unit}${pct}${rate}${eta}`;
  };
  const f = ((e: ProgressEvent) => {
    lastEvent = e;
    const now = Date.now();
    if (stream.isTTY) {
      if (now - last < 100 && e.done !== e.total) return;
      last = now;
      const width = 30;
      const frac = e.total ? Math.min(1, e.done / e.total) : 0;
      const bar = "#".repeat(Math.round(frac * width)).padEnd(width, "-");
      stream.write(`\r[${bar}] ${line(e)}\x1b[K`);
    } else if (now - last >= intervalMs) {
      last = now;
      stream.write(line(e) + "\n");
    }
  }) as ProgressListener & { end(): void };
  // Closes the current bar or prints its final line, once: callers may end before every log line.
  f.end = () => {
    if (!lastEvent) return;
    stream.write(stream.isTTY ? "\n" : line(lastEvent) + "\n");
    lastEvent = undefined;
    last = 0;
  };
  return f;
}

function fmtRate(r: number): string {
  if (r >= 1e6) return `${(r / 1e6).toFixed(2)}M`;
  if (r >= 1e3) return `${(r / 1e3).toFixed(1)}k`;
  return r.toFixed(1);
}
