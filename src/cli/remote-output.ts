/**
 * `--out root://…` for every command: before the action, each output option (or output argument,
 * as hadd's) whose value is an XRootD URL is claimed on the server (the no-overwrite rule, checked first) and replaced by a
 * local staging path; after the action succeeds, what the command wrote there is uploaded
 * (io/output.ts). Commands need not know: they write local files under util/output.ts's rules.
 */
import type { Command } from "commander";
import type { StagedOutput } from "../io/index.js";

/** Option attributes that name something a command writes (file or directory). */
const OUTPUT_OPTIONS = new Set(["out", "output", "outputDir", "outputFile", "table", "json", "metrics", "plot", "plots"]);
/** Commands whose output is an argument, not an option: command name → argument index. */
const OUTPUT_ARGUMENTS: Record<string, number> = { hadd: 0 };
const URL_RE = /^(x?roots?|https?):\/\//i;

const staged = new WeakMap<Command, StagedOutput[]>();

/** preAction hook: stage every output option that names a remote location. */
export function stageRemoteOutputs(_program: Command, cmd: Command): Promise<void> | void {
  const opts = cmd.opts() as Record<string, unknown>;
  const targets: Array<[string | number, string]> = Object.entries(opts).filter(([k, v]) => OUTPUT_OPTIONS.has(k) && typeof v === "string" && URL_RE.test(v)) as Array<[string, string]>;
  const argAt = OUTPUT_ARGUMENTS[cmd.name()];
  const args = cmd.processedArgs as unknown[];
  if (argAt !== undefined && typeof args[argAt] === "string" && URL_RE.test(args[argAt] as string)) targets.push([argAt, args[argAt] as string]);
  // Synchronous when there is nothing to stage: most commands never wait on this hook.
  if (targets.length === 0) return;
  return stage(cmd, opts, args, targets);
}

async function stage(cmd: Command, opts: Record<string, unknown>, args: unknown[], targets: Array<[string | number, string]>): Promise<void> {
  const { stageOutput } = await import("../io/index.js");
  const keys = new Set(targets.map(([k]) => k));
  // Everything else on the command line may be an input the output must not overwrite.
  const inputs = [
    ...args.filter((_, i) => !keys.has(i)).flat(),
    ...Object.entries(opts)
      .filter(([k]) => !keys.has(k))
      .flatMap(([, v]) => v),
  ].filter((v): v is string => typeof v === "string");
  const list: StagedOutput[] = [];
  try {
    for (const [key, url] of targets) {
      const s = await stageOutput(url, { force: opts.force === true, inputs });
      list.push(s);
      if (typeof key === "number") args[key] = s.path;
      else cmd.setOptionValue(key, s.path);
    }
  } catch (e) {
    for (const s of list) s.abort();
    throw e;
  }
  staged.set(cmd, list);
}

/** postAction hook: upload what the command wrote into its staging paths. */
export function commitRemoteOutputs(_program: Command, cmd: Command): Promise<void> | void {
  const list = staged.get(cmd);
  if (!list) return;
  staged.delete(cmd);
  return upload(list);
}

async function upload(list: StagedOutput[]): Promise<void> {
  for (const s of list) {
    const urls = await s.commit();
    process.stderr.write(urls.length === 0 ? `hepflow: nothing was written for ${s.url}\n` : `hepflow: uploaded ${urls.length === 1 ? urls[0] : `${urls.length} files to ${s.url}`}\n`);
  }
}
