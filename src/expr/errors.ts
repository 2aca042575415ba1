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

export { closeNames } from "../util/index.js";
