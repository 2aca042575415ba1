/** A query as it arrives in text (a request, a YAML spec): qastle or func_adl Python, told apart by its first character. */
import type { QNode } from "./ast.js";
import { parseQastle } from "./qastle.js";
import { parsePython } from "./python.js";

export type QueryLanguage = "qastle" | "python";

/** Which language a query text is written in: qastle starts with "(", func_adl Python does not. */
export function queryKind(text: string): QueryLanguage {
  return /^\s*\(/.test(text) && !/^\s*\(\s*(lambda\b|\w+\s*\.)/.test(text) && /^\s*\(\s*[A-Za-z_]+\s/.test(text) ? "qastle" : "python";
}

/** Parses a query text in either language into the query tree. */
export function parseQueryText(text: string, language: QueryLanguage = queryKind(text)): QNode {
  return language === "qastle" ? parseQastle(text) : parsePython(text);
}
