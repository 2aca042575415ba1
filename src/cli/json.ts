/**
 * Machine-readable output of the CLI. JSON has no Infinity or NaN and JSON.stringify turns them
 * into null, which reads as "missing"; a significance of +∞ (background-free excess) or an
 * unbounded limit is a result, so non-finite numbers are written as the strings "Infinity",
 * "-Infinity" and "NaN", which Number() in JavaScript and float() in Python parse back.
 */
export function stringifyJson(value: unknown, indent: number | undefined = 2): string {
  return JSON.stringify(value, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v), indent);
}

/** Write one JSON document (non-finite numbers as strings) and a newline to stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(stringifyJson(value) + "\n");
}
