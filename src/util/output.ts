/**
 * The one rule for everything hepflow writes (files and output directories):
 *
 * - an existing output file, or a non-empty output directory, is refused unless `force`;
 * - an output that is also an input is refused always (`hadd a.root a.root b.root`);
 * - with `force` the old output is replaced as a whole: a file by rename of a finished temporary
 *   file, a directory by moving the old one aside and deleting it only once the new one is
 *   complete, so no file of an earlier run survives next to the new result;
 * - temporary files and half-written directories are removed on SIGINT/SIGTERM (and the old
 *   directory put back).
 *
 * It lives in util/ because root/ (hadd, the writer) needs it as much as the commands do.
 */
import { existsSync, readdirSync, realpathSync, renameSync, rmSync, statSync, mkdirSync, writeFileSync, path } from "#util/fs";
import { HepflowError } from "./errors.js";

/** How a command's output may be written: `force` to replace, `inputs` the files it reads. */
export interface OutputRule {
  force?: boolean;
  inputs?: readonly string[];
}

/** A path resolved through symlinks as far as it exists, so two spellings of one file compare equal. */
function canonical(p: string): string {
  const abs = path.resolve(p);
  try {
    return realpathSync(abs);
  } catch {
    const parent = path.dirname(abs);
    return parent === abs ? abs : path.join(canonical(parent), path.basename(abs));
  }
}

function refuseInputs(output: string, rule: OutputRule, isDir: boolean): void {
  const out = canonical(output);
  for (const input of rule.inputs ?? []) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(input)) continue; // a URL is never a local output
    const inp = canonical(input);
    if (inp === out || (isDir && inp.startsWith(out + path.sep))) {
      throw new HepflowError("OUTPUT_IS_INPUT", `the output ${isDir ? "directory contains" : "is"} the input ${input}; writing would destroy what is being read (even with --force)`, { file: output });
    }
  }
}

/**
 * Checks that `file` may be written under the rule; throws OUTPUT_EXISTS / OUTPUT_IS_INPUT.
 * Call it before any long work so a refusal costs nothing.
 */
export function claimOutputFile(file: string, rule: OutputRule = {}): void {
  refuseInputs(file, rule, false);
  let st;
  try {
    st = statSync(file);
  } catch {
    return;
  }
  if (st.isDirectory()) throw new HepflowError("OUTPUT_EXISTS", "the output is an existing directory, not a file", { file });
  if (!rule.force) throw new HepflowError("OUTPUT_EXISTS", "the output file exists; choose another name or pass --force to replace it", { file });
}

const temporaries = new Set<string>();
const restores = new Map<string, () => void>();
let handlersInstalled = false;

function cleanUp(): void {
  for (const t of temporaries) rmSync(t, { recursive: true, force: true });
  temporaries.clear();
  for (const restore of restores.values()) restore();
  restores.clear();
}

/** Stops of threads that may still be writing (worker threads run on while the main thread cleans up). */
const stoppers = new Set<() => Promise<unknown>>();
/** How long an interrupted process waits for its writer threads to stop before cleaning up anyway. */
const STOP_WAIT_MS = 2000;

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const) {
    process.once(signal, () => {
      // A writer thread left running would recreate its directory under the restored old output
      // (seen as a stray *.tmp-* file), so the threads are stopped before anything is removed.
      const pending = [...stoppers].map((stop) => stop().catch(() => undefined));
      stoppers.clear();
      const wait = new Promise((r) => setTimeout(r, STOP_WAIT_MS).unref());
      void Promise.race([Promise.all(pending), wait]).then(() => {
        cleanUp();
        process.exit(code);
      });
    });
  }
  process.once("exit", cleanUp);
}

/**
 * Registers a thread that writes outputs (a worker's `terminate`): on SIGINT/SIGTERM it is stopped
 * before temporary files are removed and old outputs put back. `release()` when the thread ends.
 */
export function stopOnInterrupt(stop: () => Promise<unknown>): { release(): void } {
  installHandlers();
  stoppers.add(stop);
  return {
    release: () => {
      stoppers.delete(stop);
    },
  };
}

/** A temporary path beside `target` (same filesystem, so the final rename is atomic). */
export function temporaryPath(target: string): string {
  return `${target}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * Registers a temporary file or directory to be removed if the process is interrupted (SIGINT,
 * SIGTERM) or exits before `release()` is called.
 */
export function trackTemporary(p: string): { release(): void } {
  installHandlers();
  temporaries.add(p);
  return {
    release: () => {
      temporaries.delete(p);
    },
  };
}

/** Writes `data` to `file` under the rule: claimed first, then written to a temporary file and renamed into place. */
export function writeOutputFile(file: string, data: string | Uint8Array, rule: OutputRule = {}): void {
  claimOutputFile(file, rule);
  const tmp = temporaryPath(file);
  const t = trackTemporary(tmp);
  try {
    mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    writeFileSync(tmp, data);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    if (e instanceof HepflowError) throw e;
    throw new HepflowError("OUTPUT_ERROR", `cannot write the output (${(e as Error).message})`, { file }, { cause: e });
  } finally {
    t.release();
  }
}

/** An output directory being written: `commit()` when complete, `abort()` on failure. */
export interface OutputDir {
  readonly path: string;
  /** The run finished: the old output (if any) is deleted. */
  commit(): void;
  /** The run failed: the new, partial output is removed and the old one put back. */
  abort(): void;
}

/**
 * Prepares `dir` for a command's output under the rule. An existing non-empty directory is
 * refused unless `force`; with `force` it is moved aside (beside `dir`) and comes back if the
 * run fails or is interrupted, or is deleted at `commit()`. The new output is written at `dir`
 * itself, so paths recorded during the run stay valid.
 */
export function prepareOutput(dir: string, rule: OutputRule = {}): OutputDir {
  refuseInputs(dir, rule, true);
  let entries: string[] | undefined;
  try {
    entries = readdirSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOTDIR") throw new HepflowError("OUTPUT_EXISTS", "the output directory is an existing file", { file: dir });
    if (code !== "ENOENT") throw new HepflowError("OUTPUT_ERROR", `cannot use the output directory: ${(e as Error).message}`, { file: dir });
  }
  if (entries && entries.length > 0 && !rule.force) {
    throw new HepflowError("OUTPUT_EXISTS", `the output directory is not empty (${entries.length} entries); choose another or pass --force to replace it`, { file: dir });
  }
  let aside: string | undefined;
  if (entries && entries.length > 0) {
    aside = `${path.resolve(dir)}.old-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    renameSync(dir, aside);
  } else if (entries) {
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true });
  installHandlers();
  const key = path.resolve(dir);
  let done = false;
  const abort = (): void => {
    if (done) return;
    done = true;
    restores.delete(key);
    rmSync(dir, { recursive: true, force: true });
    if (aside && existsSync(aside)) renameSync(aside, dir);
  };
  restores.set(key, abort);
  return {
    path: dir,
    commit() {
      if (done) return;
      done = true;
      restores.delete(key);
      if (aside) rmSync(aside, { recursive: true, force: true });
    },
    abort,
  };
}

/** Runs `write` into an output directory prepared by the rule; commits on success, restores the old output on failure. */
export async function withOutputDir<T>(dir: string, rule: OutputRule, write: (dir: string) => Promise<T>): Promise<T> {
  const out = prepareOutput(dir, rule);
  try {
    const result = await write(out.path);
    out.commit();
    return result;
  } catch (e) {
    out.abort();
    throw e;
  }
}
