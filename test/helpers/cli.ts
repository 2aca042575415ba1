import { vi } from "vitest";
import { buildProgram } from "../../src/cli/main.js";

/** Runs `hepflow ARGS...` in this process and returns what it wrote to stdout. */
export async function runCli(...args: string[]): Promise<string> {
  let out = "";
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    const argv = ["node", "hepflow", ...args];
    await (await buildProgram(argv)).exitOverride().parseAsync(argv);
  } finally {
    spy.mockRestore();
  }
  return out;
}

/** Runs `hepflow ARGS...` in this process: what it wrote to stdout, and the error it ended with (stderr is muted). */
export async function runCliOutcome(...args: string[]): Promise<{ out: string; error?: Error }> {
  let out = "";
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  try {
    const argv = ["node", "hepflow", ...args];
    await (await buildProgram(argv)).exitOverride().parseAsync(argv);
    return { out };
  } catch (error) {
    return { out, error: error as Error };
  } finally {
    spy.mockRestore();
    err.mockRestore();
  }
}
