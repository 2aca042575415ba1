/**
 * `hepflow patchset extract|apply|inspect|verify`: pyhf patchset — the signal patches of a published
 * likelihood, checked against the background-only workspace by the digests in their metadata.
 */
import type { Command } from "commander";
import { HepflowError } from "../../util/index.js";
import type { PatchSet, Workspace } from "../../stats/index.js";
import { printJson } from "../json.js";
import { readJsonFile, readText, sortedKeys, workspaceJson, writeJsonOutput } from "./pyhf-io.js";
import { registerGridCommands } from "./patchset-grid.js";

type Patch = PatchSet["patches"][number];

/** A validated patchset; names (and values) must be unique, as pyhf requires. */
async function readPatchset(file: string): Promise<PatchSet> {
  const { PATCHSET_SCHEMA, validateAgainst } = await import("../../stats/index.js");
  const json = readJsonFile(file, "PATCH_INVALID");
  validateAgainst(PATCHSET_SCHEMA, json, "PATCH_INVALID", "patchset", file);
  const ps = json as PatchSet;
  const labels = (ps.metadata.labels as unknown[] | undefined) ?? [];
  const names = new Set<string>();
  const values = new Set<string>();
  ps.patches.forEach((p, i) => {
    const where = { file, object: `$.patches[${i}].metadata` };
    if (names.has(p.metadata.name)) throw new HepflowError("PATCH_INVALID", `two patches are named "${p.metadata.name}"`, where);
    const key = JSON.stringify(p.metadata.values);
    if (values.has(key)) throw new HepflowError("PATCH_INVALID", `two patches have the values ${key}`, where);
    if (p.metadata.values.length !== labels.length) throw new HepflowError("PATCH_INVALID", `patch "${p.metadata.name}" has ${p.metadata.values.length} values for ${labels.length} labels (${labels.join(", ")})`, where);
    names.add(p.metadata.name);
    values.add(key);
  });
  return ps;
}

/** The patch called `name` (pyhf's `--name`), or an error listing some that exist. */
function findPatch(ps: PatchSet, name: string | undefined, file: string): Patch {
  const some =
    ps.patches
      .slice(0, 5)
      .map((p) => p.metadata.name)
      .join(", ") + (ps.patches.length > 5 ? ", …" : "");
  if (name === undefined) throw new HepflowError("CLI_USAGE", `name the patch with --name (the patchset holds ${ps.patches.length}: ${some}; \`hepflow patchset inspect\` lists them)`, { file });
  const p = ps.patches.find((x) => x.metadata.name === name);
  if (!p) throw new HepflowError("PATCH_INVALID", `no patch named "${name}" in the patchset (it holds ${ps.patches.length}: ${some})`, { file });
  return p;
}

/**
 * pyhf's PatchSet.verify: every digest in the patchset's metadata must equal the background-only
 * workspace's digest by that algorithm, else the patches were made for another workspace.
 */
async function verify(ps: PatchSet, bkgFile: string, psFile: string): Promise<Workspace> {
  const { Workspace, workspaceDigest } = await import("../../stats/index.js");
  const text = readText(bkgFile);
  const ws = Workspace.fromJSON(JSON.parse(text), { file: bkgFile });
  const digests = (ps.metadata.digests ?? {}) as Record<string, string>;
  for (const [algorithm, expected] of Object.entries(digests)) {
    const got = workspaceDigest(text, algorithm, bkgFile);
    if (got !== expected) {
      throw new HepflowError("PATCHSET_MISMATCH", `the patchset was not made for this background-only workspace: its ${algorithm} digest is ${expected}, the workspace's is ${got}`, {
        file: psFile,
        object: `$.metadata.digests.${algorithm}`,
      });
    }
  }
  return ws;
}

export function register(program: Command): void {
  const cmd = program.command("patchset").description("extract, apply, inspect or verify the patches of a pyhf patchset (pyhf patchset); make one from patch files; draw a grid's exclusion contour");
  registerGridCommands(cmd);
  cmd
    .command("extract <patchset>")
    .description("print one patch (JSON Patch operations) of a patchset")
    .option("--name <name>", "the patch to extract")
    .option("--with-metadata", "print {metadata, patch}, the patch's metadata merged with the patchset's")
    .option("--without-metadata", "print the operations only (the default)")
    .option("--output-file <file>", "write the JSON here (default: stdout)")
    .option("--force", "replace an existing output file")
    .action(async (file: string, o: { name?: string; withMetadata?: boolean; outputFile?: string; force?: boolean }) => {
      const ps = await readPatchset(file);
      const p = findPatch(ps, o.name, file);
      writeJsonOutput(sortedKeys(o.withMetadata ? { metadata: { ...p.metadata, ...ps.metadata }, patch: p.patch } : p.patch), o);
    });
  cmd
    .command("apply <background-only> <patchset>")
    .description("the background-only workspace with one patch applied (after verifying the patchset's digests)")
    .option("--name <name>", "the patch to apply")
    .option("--output-file <file>", "write the workspace here (default: stdout)")
    .option("--force", "replace an existing output file")
    .action(async (bkg: string, file: string, o: { name?: string; outputFile?: string; force?: boolean }) => {
      const ps = await readPatchset(file);
      const p = findPatch(ps, o.name, file);
      const ws = await verify(ps, bkg, file);
      writeJsonOutput(workspaceJson(ws.applyPatches([p.patch])), o);
    });
  cmd
    .command("verify <background-only> <patchset>")
    .description('check the patchset\'s digests against the background-only workspace; prints "All good."')
    .action(async (bkg: string, file: string) => {
      await verify(await readPatchset(file), bkg, file);
      process.stdout.write("All good.\n");
    });
  cmd
    .command("inspect <patchset>")
    .description("the patchset's metadata and its patches (name and label values)")
    .option("--json", "print {metadata, patches: [{name, values}]} as JSON")
    .action(async (file: string, o: { json?: boolean }) => {
      const ps = await readPatchset(file);
      const patches = ps.patches.map((p) => ({ name: p.metadata.name, values: p.metadata.values }));
      if (o.json) return printJson({ metadata: ps.metadata, patches });
      const m = ps.metadata as { analysis_id?: string; description?: string; labels?: string[]; digests?: Record<string, string> };
      const head = [
        m.analysis_id !== undefined ? `analysis ID  ${m.analysis_id}` : null,
        m.description !== undefined ? `description  ${m.description}` : null,
        `labels       ${(m.labels ?? []).join(", ")}`,
        ...Object.entries(m.digests ?? {}).map(([a, d]) => `digest       ${a}:${d}`),
        "",
        `    ${patches.length} patches found in Patchset`,
        "---------------------------------",
        "",
      ].filter((l) => l !== null);
      const width = Math.max(...patches.map((p) => p.name.length));
      process.stdout.write([...head, ...patches.map((p) => `${p.name.padEnd(width)}  (${p.values.join(", ")})`)].join("\n") + "\n");
    });
}
