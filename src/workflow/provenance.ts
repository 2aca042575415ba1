import { createHash } from "node:crypto";
import { createReadStream, readFileSync } from "node:fs";
import { stat } from "node:fs/promises";

/** SHA-256 of a file, streamed (inputs can be large). */
export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash("sha256");
    createReadStream(path)
      .on("error", reject)
      .on("data", (b) => h.update(b))
      .on("end", () => resolve(h.digest("hex")));
  });
}

/** The installed hepflow version, from package.json. */
export function hepflowVersion(): string {
  return (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;
}

/** Provenance rows for a report: version, runtime, command line, and a hash per input file. */
export async function provenance(opts: { command: string; seed?: number; files: Record<string, string> }): Promise<Array<[string, string]>> {
  const rows: Array<[string, string]> = [
    ["hepflow version", hepflowVersion()],
    ["Node.js", process.version],
    ["command", opts.command],
    ["started", new Date().toISOString()],
  ];
  if (opts.seed !== undefined) rows.push(["seed", String(opts.seed)]);
  for (const [label, file] of Object.entries(opts.files)) {
    const size = (await stat(file)).size;
    rows.push([`${label} (sha256, ${size} bytes)`, `${await sha256File(file)}  ${file}`]);
  }
  return rows;
}
