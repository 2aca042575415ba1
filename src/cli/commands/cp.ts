/** `hepflow cp SRC DST`: copy a file between local disk, root:// and http(s):// with a verified checksum. */
import type { Command } from "commander";

export function register(program: Command): void {
  program
    .command("cp <source> <destination>")
    .description("copy a file: local path, root:// or http(s):// source; local path or root:// destination (a directory keeps the name); adler32 checked against the XRootD server")
    .option("-f, --force", "overwrite an existing destination")
    .option("--parallel <n>", "chunks in flight at once", "4")
    .option("--chunk-size <MiB>", "chunk size in MiB", "8")
    .option("--no-verify", "skip the checksum comparison")
    .option("--json", "print the result as JSON")
    .action(async (source: string, destination: string, o: { force?: boolean; parallel: string; chunkSize: string; verify: boolean; json?: boolean }) => {
      const { copyFile } = await import("../../io/index.js");
      const { progressPrinter } = await import("../progress.js");
      const { HepflowError } = await import("../../util/index.js");
      const parallel = Number(o.parallel),
        chunk = Number(o.chunkSize);
      if (!Number.isInteger(parallel) || parallel < 1) throw new HepflowError("CLI_BAD_OPTION", `--parallel must be a positive integer, got "${o.parallel}"`);
      if (!(chunk > 0)) throw new HepflowError("CLI_BAD_OPTION", `--chunk-size must be a positive number of MiB, got "${o.chunkSize}"`);
      const progress = o.json ? undefined : progressPrinter();
      const r = await copyFile(source, destination, { force: o.force, parallel, chunkBytes: Math.round(chunk * 1024 * 1024), noVerify: !o.verify, onProgress: progress });
      progress?.end();
      for (const w of r.warnings) process.stderr.write(`warning: ${w}\n`);
      if (o.json) {
        process.stdout.write(JSON.stringify(r, null, 2) + "\n");
        return;
      }
      const mbps = r.bytes / 1e6 / Math.max(r.seconds, 1e-9);
      const checked = r.verified.length ? `, checked against ${r.verified.map((v) => v.against).join(" and ")}` : "";
      process.stdout.write(`${r.destination}: ${r.bytes} bytes in ${r.seconds.toFixed(2)} s (${mbps.toFixed(1)} MB/s), adler32 ${r.adler32}${checked}\n`);
    });
}
