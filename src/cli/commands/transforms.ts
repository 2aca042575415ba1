/** `hepflow transforms ls|status|errors|cancel|download`: the user's transforms on a delivery service. */
import type { Command } from "commander";

const common = (c: Command) => c.option("--url <url>", "service URL (default $HEPFLOW_SERVICE_URL or http://127.0.0.1:5000)").option("--token <token>", "bearer token (default $HEPFLOW_SERVICE_TOKEN)");

async function client(o: { url?: string; token?: string }) {
  const { ServiceClient } = await import("../../service/index.js");
  return new ServiceClient(o.url, o.token ?? process.env.HEPFLOW_SERVICE_TOKEN);
}

export function register(program: Command): void {
  const t = program.command("transforms").description("list, inspect, cancel or download your transforms on the delivery service");
  common(t.command("ls").description("your transforms, newest first"))
    .option("--json", "as JSON")
    .action(async (o: { url?: string; token?: string; json?: boolean }) => {
      const { requests } = await (await client(o)).list();
      if (o.json) {
        process.stdout.write(JSON.stringify(requests, null, 2) + "\n");
        return;
      }
      for (const r of requests) process.stdout.write(`${r.request_id}  ${r.status.padEnd(9)} ${r["files-completed"]}/${r["files-total"]} files  ${r["files-failed"]} failed  ${r.title || r.did}\n`);
    });
  common(t.command("status <id>").description("state, files, events, bytes, ETA")).action(async (id: string, o: { url?: string; token?: string }) => {
    process.stdout.write(JSON.stringify(await (await client(o)).status(id), null, 2) + "\n");
  });
  common(t.command("errors <id>").description("the failed files: file, stage, message")).action(async (id: string, o: { url?: string; token?: string }) => {
    for (const e of (await (await client(o)).errors(id)).errors) process.stdout.write(`${e.file}: ${e.stage}: ${e.message} (${e.attempts} attempt(s))\n`);
  });
  common(t.command("cancel <id>").description("stop a running transform")).action(async (id: string, o: { url?: string; token?: string }) => {
    process.stdout.write(`${(await (await client(o)).cancel(id)).status}\n`);
  });
  common(
    t.command("download <id>").description("download the result files").requiredOption("-o, --out <dir>", "folder to write them into (must not hold files of the same names unless --force)").option("--force", "overwrite existing files"),
  ).action(async (id: string, o: { url?: string; token?: string; out: string; force?: boolean }) => {
    const path = await import("node:path");
    const { claimOutputFile } = await import("../../util/index.js");
    const c = await client(o);
    for (const r of (await c.results(id)).results) {
      const dest = path.join(o.out, r.filename);
      claimOutputFile(dest, { force: o.force });
      await c.download(r.url, dest);
      process.stdout.write(`${dest}\n`);
    }
  });
}
