/** `hepflow deliver spec.yaml`: deliver every sample of a ServiceX-shaped spec from the delivery service into the local cache. */
import type { Command } from "commander";

export function register(program: Command): void {
  program
    .command("deliver <spec>")
    .description("deliver the samples of a ServiceX-style spec (YAML) via the delivery service; prints the local files")
    .option("--url <url>", "service URL (default $HEPFLOW_SERVICE_URL or http://127.0.0.1:5000)")
    .option("--token <token>", "bearer token (default $HEPFLOW_SERVICE_TOKEN)")
    .option("--ignore-cache", "ask the service again even if the local cache has the result")
    .option("--cache-dir <dir>", "local result cache (default $HEPFLOW_DELIVER_CACHE or ~/.cache/hepflow/deliver)")
    .option("--json", "print the result as JSON")
    .action(async (specFile: string, o: { url?: string; token?: string; ignoreCache?: boolean; cacheDir?: string; json?: boolean }) => {
      const fs = await import("node:fs");
      const { parseSpec, deliver } = await import("../../service/index.js");
      const spec = await parseSpec(fs.readFileSync(specFile, "utf8"), specFile);
      const tty = process.stderr.isTTY && !o.json;
      const lines = new Map<string, string>();
      const draw = () => {
        if (tty) process.stderr.write(`\r${[...lines.values()].join("  |  ")}\x1b[K`);
      };
      const result = await deliver(spec, {
        url: o.url,
        token: o.token,
        ignoreCache: o.ignoreCache,
        cacheDir: o.cacheDir,
        onProgress: (name, s) => {
          const n = s["files-total"],
            d = s["files-completed"] + s["files-failed"];
          const w = 20,
            bar = "#".repeat(Math.round((w * d) / Math.max(1, n))).padEnd(w, "-");
          lines.set(name, `${name} [${bar}] ${d}/${n} files ${s["events-processed"]} events${s["files-failed"] ? ` ${s["files-failed"]} FAILED` : ""}`);
          draw();
        },
      });
      if (tty && lines.size) process.stderr.write("\n");
      if (o.json) {
        process.stdout.write(JSON.stringify(result, null, 2) + "\n");
        return;
      }
      for (const [name, r] of Object.entries(result)) {
        process.stdout.write(`${name}: ${r.files.length} file(s)${r.fromCache ? " (local cache)" : ""}, request ${r.requestId}\n`);
        for (const f of r.files) process.stdout.write(`  ${f}\n`);
        for (const e of r.errors) process.stdout.write(`  FAILED ${e.file}: ${e.stage}: ${e.message}\n`);
      }
    });
}
