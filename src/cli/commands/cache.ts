/** `hepflow cache ls|rm`: the delivery service's server-side cache of transforms, for operators (reads the service folder directly). */
import type { Command } from "commander";

function serviceDir(d?: string): string {
  return d ?? process.env.HEPFLOW_SERVICE_DIR ?? "hepflow-service";
}

export function register(program: Command): void {
  const c = program.command("cache").description("the delivery service's server-side cache (operators): list or remove transforms");
  c.command("ls")
    .description("cached transforms: id, status, files, bytes, cache key")
    .option("--dir <dir>", "service folder")
    .option("--json", "as JSON")
    .action(async (o: { dir?: string; json?: boolean }) => {
      const { ServiceStore } = await import("../../service/index.js");
      const s = new ServiceStore(serviceDir(o.dir));
      const rows = s.allTransforms().map((t) => {
        const files = s.files(t.id);
        return { id: t.id, status: t.status, files: files.length, bytes: files.reduce((a, f) => a + f.bytes, 0), key: t.cache_key.slice(0, 16), created: new Date(t.created).toISOString(), did: t.did };
      });
      s.close();
      if (o.json) {
        process.stdout.write(JSON.stringify(rows, null, 2) + "\n");
        return;
      }
      for (const r of rows) process.stdout.write(`${r.id}  ${r.status.padEnd(9)} ${String(r.files).padStart(4)} files ${(r.bytes / 1e6).toFixed(1).padStart(8)} MB  ${r.key}  ${r.did}\n`);
    });
  c.command("rm [ids...]")
    .description("remove transforms (their results and records); --all for every one")
    .option("--dir <dir>", "service folder")
    .option("--all", "remove every transform")
    .action(async (ids: string[], o: { dir?: string; all?: boolean }) => {
      const fs = await import("node:fs");
      const path = await import("node:path");
      const { ServiceStore } = await import("../../service/index.js");
      const { HepflowError } = await import("../../util/index.js");
      const s = new ServiceStore(serviceDir(o.dir));
      const targets = o.all ? s.allTransforms().map((t) => t.id) : ids;
      if (!targets.length) throw new HepflowError("CLI_OPTION", "name transforms to remove, or --all");
      for (const id of targets) {
        if (!s.transform(id)) throw new HepflowError("CACHE_NOT_FOUND", `no transform ${id}`);
        fs.rmSync(path.join(serviceDir(o.dir), "results", id), { recursive: true, force: true });
        s.deleteTransform(id);
        process.stdout.write(`removed ${id}\n`);
      }
      s.close();
    });
}
