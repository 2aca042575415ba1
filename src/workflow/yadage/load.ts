/**
 * Reading a yadage spec: YAML or JSON files, `$ref` resolution, and a map from every object of the
 * resolved document back to the file and key path it was written at (so validation messages name
 * the place a user has to edit, not a position in a merged document).
 */
import { readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { HepflowError } from "../../util/index.js";

/** Where an object of the resolved spec was written: its file and JSON pointer inside that file. */
export interface Origin {
  file: string;
  pointer: string;
}

/** A loaded spec: the document with every `$ref` replaced, and where each object came from. */
export interface LoadedSpec {
  /** The workflow with `$ref`s resolved (plain JSON). */
  workflow: unknown;
  /** The entry file. */
  file: string;
  /** The toplevel directory `$ref`s of the entry file are resolved against. */
  toplevel: string;
  /** Origin of each object/array of `workflow`. */
  origins: WeakMap<object, Origin>;
  /** Every file read. */
  files: string[];
}

/** Parses one YAML or JSON file (JSON is YAML, but JSON's error positions are clearer). */
export function readSpecFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new HepflowError("WORKFLOW_FILE", `cannot read spec file (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { file });
  }
  try {
    return /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text, { prettyErrors: true, uniqueKeys: true });
  } catch (e) {
    throw new HepflowError("WORKFLOW_SYNTAX", `not valid ${/\.json$/i.test(file) ? "JSON" : "YAML"}: ${(e as Error).message.split("\n")[0]}`, { file });
  }
}

/** Escapes one key for a JSON pointer (RFC 6901). */
export const pointerToken = (key: string | number): string => String(key).replace(/~/g, "~0").replace(/\//g, "~1");

/** Follows a JSON pointer (`/a/b/0`; a fragment without the leading `/` is taken as one). */
export function followPointer(doc: unknown, pointer: string, place: { file: string; object: string }): unknown {
  if (pointer === "" || pointer === "/") return doc;
  const tokens = (pointer.startsWith("/") ? pointer.slice(1) : pointer).split("/").map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
  let node = doc;
  for (const t of tokens) {
    if (node === null || typeof node !== "object" || !(t in (node as Record<string, unknown>))) {
      throw new HepflowError("WORKFLOW_REF", `$ref target #${pointer} does not exist (no key "${t}")`, place);
    }
    node = (node as Record<string, unknown>)[t];
  }
  return node;
}

/**
 * Loads a workflow spec and resolves its `$ref`s. As yadage does (and as the public specs rely
 * on), a `$ref` in the entry file is relative to `toplevel` (default: the entry file's folder)
 * and a `$ref` inside a referenced file is relative to that file's folder. `steps.yml#/a`,
 * `steps.yml#a` (no slash), `#/local/pointer` and `sub.yml` (whole file) are understood.
 */
export function loadSpec(entry: string, opts: { toplevel?: string } = {}): LoadedSpec {
  const toplevel = resolve(opts.toplevel ?? dirname(resolve(entry)));
  const file = isAbsolute(entry) || opts.toplevel === undefined ? resolve(entry) : existingOr(resolve(toplevel, entry), resolve(entry));
  const origins = new WeakMap<object, Origin>();
  const cache = new Map<string, unknown>();
  const files: string[] = [];
  const readOnce = (f: string): unknown => {
    if (!cache.has(f)) {
      cache.set(f, readSpecFile(f));
      files.push(f);
    }
    return cache.get(f);
  };

  // Each resolution returns a fresh copy so that two references to one step can be told apart
  // in error messages by the place that referenced them; cycles are refused.
  const resolveNode = (node: unknown, origin: Origin, base: string, stack: string[]): unknown => {
    if (node === null || typeof node !== "object") return node;
    if (!Array.isArray(node) && typeof (node as Record<string, unknown>).$ref === "string") {
      const ref = (node as Record<string, string>).$ref!;
      const [filePart, fragment = ""] = ref.split("#", 2) as [string, string?];
      const target = filePart === "" ? origin.file : resolve(base, filePart);
      const key = `${target}#${fragment}`;
      const place = { file: origin.file, object: `${origin.pointer}/$ref` };
      if (stack.includes(key)) throw new HepflowError("WORKFLOW_REF", `$ref cycle: ${[...stack, key].join(" → ")}`, place);
      if (filePart !== "" && !isFile(target)) throw new HepflowError("WORKFLOW_REF", `$ref "${ref}": no file ${target}`, place);
      const doc = readOnce(target);
      const pointer = fragment === "" ? "" : fragment.startsWith("/") ? fragment : `/${fragment}`;
      const value = followPointer(doc, pointer, place);
      return resolveNode(value, { file: target, pointer }, dirname(target), [...stack, key]);
    }
    const out: unknown = Array.isArray(node)
      ? node.map((v, i) => resolveNode(v, { file: origin.file, pointer: `${origin.pointer}/${i}` }, base, stack))
      : Object.fromEntries(Object.entries(node as Record<string, unknown>).map(([k, v]) => [k, resolveNode(v, { file: origin.file, pointer: `${origin.pointer}/${pointerToken(k)}` }, base, stack)]));
    origins.set(out as object, origin);
    return out;
  };
  const workflow = resolveNode(readOnce(file), { file, pointer: "" }, toplevel, [`${file}#`]);
  return { workflow, file, toplevel, origins, files };
}

/** The file and key path of a place in the resolved document, given as a list of keys from its root. */
export function placeOf(spec: Pick<LoadedSpec, "workflow" | "origins" | "file">, path: ReadonlyArray<string | number>): { file: string; object: string } {
  let node: unknown = spec.workflow;
  let best: Origin = { file: spec.file, pointer: "" };
  let rest: Array<string | number> = [];
  for (let i = 0; i <= path.length; i++) {
    if (node !== null && typeof node === "object") {
      const o = spec.origins.get(node);
      if (o) {
        best = o;
        rest = path.slice(i) as Array<string | number>;
      }
    }
    if (i === path.length || node === null || typeof node !== "object") break;
    node = (node as Record<string, unknown>)[path[i] as string];
  }
  // Keys below the last object with a known origin (scalars) are appended to its pointer.
  const pointer = best.pointer + rest.map((k) => `/${pointerToken(k)}`).join("");
  return { file: best.file, object: pointer === "" ? "/" : pointer };
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function existingOr(a: string, b: string): string {
  return isFile(a) ? a : b;
}
