/** Child process of removeJobsSync: reads { url, ids, queue?, what? } on stdin and removes those jobs. */
import { Queue } from "bullmq";
import { parseRedisUrl } from "./connection.js";
import { PREFIX, QUEUE } from "./protocol.js";

const chunks: Buffer[] = [];
for await (const c of process.stdin) chunks.push(c as Buffer);
const { url, ids, queue: name, what } = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { url: string; ids: string[]; queue?: string; what?: string };
const queue = new Queue(name ?? QUEUE, { connection: { ...parseRedisUrl(url), maxRetriesPerRequest: 1 }, prefix: PREFIX });
const removed = await Promise.allSettled(ids.map((id) => queue.remove(id)));
process.stderr.write(`cancelled: ${removed.filter((r) => r.status === "fulfilled" && r.value === 1).length} of ${ids.length} unfinished ${what ?? "chunk"} job(s) removed from the queue (those being computed finish)\n`);
await queue.close();
