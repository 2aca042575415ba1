import { HepflowError } from "../util/index.js";
import type { Span } from "./ast.js";

/**
 * An error at a span of the query text: the message, the line of the query and a caret under
 * the offending characters (line and column counted from 1), so a user sees where in the lambda.
 */
export function queryError(code: string, message: string, source: string | undefined, span: Span | undefined, hint?: string): HepflowError {
  source = span?.src ?? source;
  if (source === undefined || span === undefined) return new HepflowError(code, message + (hint ? `\n${hint}` : ""), { object: "query" });
  const lineStart = source.lastIndexOf("\n", span.pos - 1) + 1;
  let lineEnd = source.indexOf("\n", span.pos);
  if (lineEnd < 0) lineEnd = source.length;
  const line = source.slice(0, span.pos).split("\n").length;
  const col = span.pos - lineStart + 1;
  const width = Math.max(1, Math.min(span.end, lineEnd) - span.pos);
  const text = `${message} (line ${line}, column ${col})\n  ${source.slice(lineStart, lineEnd)}\n  ${" ".repeat(col - 1)}${"^".repeat(width)}${hint ? "\n" + hint : ""}`;
  return new HepflowError(code, text, { object: "query" });
}
