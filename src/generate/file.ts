/** Writes one generated ROOT file: an `Events` tree filled chunk by chunk from the model. */
import * as fs from "node:fs";
import * as path from "node:path";
import { createFile } from "../root/index.js";
import { generateChunk, EVENT_SCHEMA } from "./events.js";
import { MODELS } from "./model.js";
import { Rng } from "./rng.js";

/** One output file: one or more samples (pseudo-data mixes several), each with its own seed. */
export interface FileJob {
  path: string;
  compression: string;
  parts: Array<{ sample: string; events: number; firstEvent: number; seedKey: string }>;
}

const CHUNK = 50_000;

/** Generates and writes `job`; the file appears only when complete. */
export async function writeSampleFile(job: FileJob): Promise<void> {
  fs.mkdirSync(path.dirname(job.path), { recursive: true });
  const w = await createFile(job.path, { compression: job.compression });
  try {
    const tree = w.writeTree("Events", EVENT_SCHEMA, { title: "Events", basketSize: 512_000 });
    for (const part of job.parts) {
      const model = MODELS[part.sample]!;
      const rng = new Rng(part.seedKey);
      for (let done = 0; done < part.events; done += CHUNK) {
        const n = Math.min(CHUNK, part.events - done);
        tree.write(generateChunk(rng, model, n, part.firstEvent + done));
      }
    }
    await w.close();
  } catch (e) {
    w.abort();
    throw e;
  }
}
