/** Input and output shared by the pyhf-style workspace commands (prune, rename, combine, sort, patchset). */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { HepflowError } from "../../util/index.js";
import type { Workspace } from "../../stats/index.js";

/** The text of a JSON file, or a clear error naming it. */
export function readText(file: string, code = "WORKSPACE_INVALID"): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    throw new HepflowError(code, `cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { file }, { cause: e });
  }
}

/** Parsed JSON of a file, or a clear error naming it. */
export function readJsonFile(file: string, code = "WORKSPACE_INVALID"): unknown {
  const text = readText(file, code);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new HepflowError(code, `not valid JSON: ${(e as Error).message}`, { file }, { cause: e });
  }
}

/**
 * Write a JSON document as pyhf does (to `--output-file`, else to stdout). An existing output file
 * is refused unless `--force`: nothing a user wrote is overwritten silently.
 */
export function writeJsonOutput(value: unknown, o: { outputFile?: string; force?: boolean }): void {
  const text = JSON.stringify(value, null, 4) + "\n";
  if (o.outputFile === undefined) {
    process.stdout.write(text);
    return;
  }
  if (existsSync(o.outputFile) && !o.force) throw new HepflowError("OUTPUT_EXISTS", "the output file exists; pass --force to replace it", { file: o.outputFile });
  try {
    writeFileSync(o.outputFile, text);
  } catch (e) {
    throw new HepflowError("OUTPUT_ERROR", `cannot write the output (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { file: o.outputFile }, { cause: e });
  }
}

/** A workspace as JSON with sorted keys at every level (pyhf's json.dump(sort_keys=True)). */
export function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortedKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** The workspace spec, keys sorted as pyhf writes it. */
export function workspaceJson(ws: Workspace): unknown {
  return sortedKeys(ws.toJSON());
}

/** OLD NEW pairs from a repeatable variadic option (`-c old new`, pyhf's form) or OLD=NEW items. */
export function renamePairs(values: string[], option: string): Record<string, string> {
  const out: Record<string, string> = {};
  const rest: string[] = [];
  for (const v of values) {
    const i = v.indexOf("=");
    if (i > 0) out[v.slice(0, i)] = v.slice(i + 1);
    else rest.push(v);
  }
  if (rest.length % 2) throw new HepflowError("CLI_USAGE", `${option} expects pairs OLD NEW (or OLD=NEW), got ${rest.map((r) => `"${r}"`).join(" ")}`);
  for (const [k, from] of rest.entries()) {
    const to = rest[k + 1];
    if (k % 2 === 0 && to !== undefined) out[from] = to;
  }
  return out;
}
