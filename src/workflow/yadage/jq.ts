/**
 * jq programs (cases' `if`, jq-stage scripts, `$wflowref` selectors, fromparjq-pub, par_mounts)
 * through jq-wasm: jq 1.7 compiled to WebAssembly, installed from npm with no binary download
 * (Debian's jq is 1.6 and node-jq fetches a binary at install time).
 */
import { HepflowError, type ErrorPlace } from "../../util/index.js";

type JqModule = { raw(input: unknown, filter: string, flags?: string[]): Promise<string> };
let jqModule: Promise<JqModule> | undefined;

/** All outputs of `program` run on `input` (jq's multiple outputs), in order. */
export async function jqAll(program: string, input: unknown, place: ErrorPlace = {}): Promise<unknown[]> {
  jqModule ??= import("jq-wasm").then((m) => (m as { default?: JqModule }).default ?? (m as unknown as JqModule));
  const jq = await jqModule;
  let text: string;
  try {
    text = await jq.raw(input, program, ["-c"]);
  } catch (e) {
    throw new HepflowError("WORKFLOW_JQ", `jq program ${JSON.stringify(program.trim())} failed: ${(e as Error).message.split("\n").slice(0, 2).join(" ")}`, place);
  }
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as unknown);
}

/** The single output of `program` (an error when it yields none or several). */
export async function jqOne(program: string, input: unknown, place: ErrorPlace = {}): Promise<unknown> {
  const out = await jqAll(program, input, place);
  if (out.length !== 1) throw new HepflowError("WORKFLOW_JQ", `jq program ${JSON.stringify(program.trim())} gave ${out.length} results, expected one`, place);
  return out[0];
}

/** jq truthiness: everything but false and null. */
export const jqTruthy = (v: unknown): boolean => v !== false && v !== null;
