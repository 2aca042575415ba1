/** `hepflow ls FILE`: the directory tree, object classes, trees with entries and branches. */
import type { Command } from "commander";
import { listFile, openFile, type BranchInfo, type ListingEntry as LsEntry } from "../../root/index.js";

interface LsOptions {
  json?: boolean;
  branches?: boolean;
  keepGoing?: boolean;
}

export function register(program: Command): void {
  program
    .command("ls <file>")
    .description("list a ROOT file: directories, objects, trees with entries, branches with type, counter and compression")
    .option("--json", "machine-readable output")
    .option("--no-branches", "do not list the branches of trees")
    .option("--keep-going", "list everything that can be read, mark what cannot, and still exit 1 if anything could not be read")
    .action(async (path: string, o: LsOptions) => {
      const file = await openFile(path);
      try {
        const entries = await listFile(file, o.keepGoing === true);
        if (o.json) process.stdout.write(JSON.stringify({ file: path, entries }, null, 2) + "\n");
        else process.stdout.write(render(path, entries, o.branches !== false));
        const bad = entries.filter((e) => e.error !== undefined);
        if (bad.length) {
          // A listing with holes is not a clean result: say so on stderr and exit non-zero.
          process.stderr.write(`hepflow: ${bad.length} object(s) in ${path} could not be read: ${bad.map((e) => e.path).join(", ")}\n`);
          process.exitCode = 1;
        }
      } finally {
        await file.close();
      }
    });
}

/** Compression of the baskets written on their own; baskets embedded in the TTree key have no size of their own, so they are named, not rated. */
function ratio(b: BranchInfo): string {
  const own = b.compressedBytes > 0 ? (b.uncompressedBytes / b.compressedBytes).toFixed(2) : "";
  if (!b.embeddedBytes) return own || "-";
  return own ? `${own} +${b.embeddedBytes} B in tree key` : `${b.embeddedBytes} B in tree key`;
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
    const rows = e.branches.map((b) => [b.name, b.typeName, b.counter ?? "", String(b.uncompressedBytes + (b.embeddedBytes ?? 0)), ratio(b), b.detail ?? ""]);
    const head = ["branch", "type", "counter", "bytes", "ratio", "detail"];
    const widths = head.map((h, i) => Math.min(48, Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0))));
    const fmt = (r: string[]) =>
      `${indent}  ` +
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
        .join("  ")
        .trimEnd();
    lines.push(fmt(head));
    for (const r of rows) lines.push(fmt(r));
  }
  return lines.join("\n") + "\n";
}
