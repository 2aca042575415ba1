/** `hepflow ls FILE`: the directory tree, object classes, trees with entries and branches. */
import type { Command } from "commander";
import { openFile, type BranchInfo, type RootFile } from "../../root/index.js";

interface LsOptions { json?: boolean; branches?: boolean }

/** One key as `ls` reports it; trees carry entries and branches. */
interface LsEntry {
  path: string;
  className: string;
  title: string;
  cycle: number;
  entries?: number;
  kind?: string;
  branches?: BranchInfo[];
  error?: string;
}

export function register(program: Command): void {
  program
    .command("ls <file>")
    .description("list a ROOT file: directories, objects, trees with entries, branches with type, counter and compression")
    .option("--json", "machine-readable output")
    .option("--no-branches", "do not list the branches of trees")
    .action(async (path: string, o: LsOptions) => {
      const file = await openFile(path);
      try {
        const entries = await collect(file);
        if (o.json) {
          process.stdout.write(JSON.stringify({ file: path, entries }, null, 2) + "\n");
          return;
        }
        process.stdout.write(render(path, entries, o.branches !== false));
      } finally {
        await file.close();
      }
    });
}

async function collect(file: RootFile): Promise<LsEntry[]> {
  const out: LsEntry[] = [];
  for (const k of await file.keys()) {
    const e: LsEntry = { path: k.path, className: k.className, title: k.title, cycle: k.cycle };
    if (/^(TTree|TNtuple|TNtupleD|ROOT::(Experimental::)?RNTuple)$/.test(k.className)) {
      try {
        const t = await file.tree(k.path);
        e.kind = t.kind;
        e.entries = t.numEntries;
        e.branches = [...t.branches];
      } catch (err) {
        e.error = (err as Error).message;
      }
    }
    out.push(e);
  }
  return out;
}

function ratio(b: BranchInfo): string {
  return b.compressedBytes > 0 ? (b.uncompressedBytes / b.compressedBytes).toFixed(2) : "-";
}

function render(path: string, entries: LsEntry[], withBranches: boolean): string {
  const lines = [path];
  for (const e of entries) {
    const depth = e.path.split("/").length - 1;
    const indent = "  ".repeat(depth + 1);
    const name = e.path.split("/").pop()!;
    let line = `${indent}${name};${e.cycle}  ${e.className}`;
    if (e.entries !== undefined) line += `  ${e.entries} entries, ${e.branches!.length} branches`;
    if (e.title) line += `  "${e.title}"`;
    if (e.error) line += `  (cannot read: ${e.error})`;
    lines.push(line);
    if (!withBranches || !e.branches?.length) continue;
    const rows = e.branches.map((b) => [b.name, b.typeName, b.counter ?? "", String(b.uncompressedBytes), ratio(b), b.detail ?? ""]);
    const head = ["branch", "type", "counter", "bytes", "ratio", "detail"];
    const widths = head.map((h, i) => Math.min(48, Math.max(h.length, ...rows.map((r) => r[i]!.length))));
    const fmt = (r: string[]) => `${indent}  ` + r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ").trimEnd();
    lines.push(fmt(head));
    for (const r of rows) lines.push(fmt(r));
  }
  return lines.join("\n") + "\n";
}
