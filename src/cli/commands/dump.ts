/** `hepflow dump FILE:TREE -b NAMES -n N`: the first values of some branches, as a table or JSON. */
import type { Command } from "commander";
import { openFile } from "../../root/index.js";
import { HepflowError, isJagged, type Column } from "../../util/index.js";

interface DumpOptions { branches?: string[]; entries: string; start: string; json?: boolean }

export function register(program: Command): void {
  program
    .command("dump <file:tree>")
    .description("print branch values of a TTree or RNTuple (jagged as nested lists)")
    .option("-b, --branches <names...>", "branch names or globs (default: all)")
    .option("-n, --entries <n>", "number of entries", "10")
    .option("-s, --start <n>", "first entry", "0")
    .option("--json", "one JSON object per branch: {branch, type, values}")
    .action(async (spec: string, o: DumpOptions) => {
      const cut = spec.lastIndexOf(":");
      if (cut <= 0 || cut === spec.length - 1 || /^[a-z]+:\/\/[^:]*$/i.test(spec)) {
        throw new HepflowError("CLI_USAGE", `"${spec}" must be FILE:TREE, e.g. data.root:Events`);
      }
      const path = spec.slice(0, cut), treePath = spec.slice(cut + 1);
      const n = Number(o.entries), start = Number(o.start);
      if (!Number.isInteger(n) || n < 0 || !Number.isInteger(start) || start < 0) throw new HepflowError("CLI_USAGE", "-n and -s take non-negative integers");
      const file = await openFile(path);
      try {
        const tree = await file.tree(treePath);
        const names = o.branches?.flatMap((b) => b.split(",")).filter(Boolean);
        const cols = await tree.arrays(names, { entryStart: start, entryStop: start + n });
        const types = new Map(tree.branches.map((b) => [b.name, b.typeName]));
        if (o.json) {
          for (const [name, col] of Object.entries(cols)) {
            process.stdout.write(JSON.stringify({ branch: name, type: types.get(name), entryStart: start, values: toPlain(col) }) + "\n");
          }
          return;
        }
        const names2 = Object.keys(cols);
        const plain = names2.map((k) => toPlain(cols[k]!));
        const rows = plain.length ? plain[0]!.length : 0;
        const lines = [["entry", ...names2].join("\t")];
        for (let i = 0; i < rows; i++) lines.push([String(start + i), ...plain.map((p) => JSON.stringify(p[i]))].join("\t"));
        process.stdout.write(lines.join("\n") + "\n");
      } finally {
        await file.close();
      }
    });
}

/** A column as nested plain arrays (BigInts as decimal strings when beyond 2^53, so JSON stays exact). */
function toPlain(col: Column): unknown[] {
  const scalar = (v: unknown) => (typeof v === "bigint" ? (v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString()) : v);
  if (isJagged(col)) {
    const inner = toPlain(col.content);
    return Array.from({ length: col.length }, (_, i) => inner.slice(col.offsets[i]!, col.offsets[i + 1]!));
  }
  return Array.from(col as ArrayLike<unknown>, (v) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : scalar(v)));
}
