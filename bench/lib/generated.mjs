// The generated ttbar NanoAOD files the peer, inflate and parallel-read benchmarks share: EVENTS events of
// the AGC nominal ttbar model, written as `hepflow generate agc` writes them (512 kB baskets), once per
// codec into $TMPDIR (the name says events and codec; a complete file is renamed into place).
import { existsSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createFile } from "../../dist/root/index.js";

export async function generatedTtbar(codec, events = 200_000) {
  const file = path.join(tmpdir(), `hepflow-bench-peers-ttbar-${events}-${codec.replace(":", "")}.root`);
  if (existsSync(file)) return file;
  const { generateChunk, MODELS, Rng, EVENT_SCHEMA } = await import("../../dist/generate/index.js");
  const rng = new Rng("peers-bench");
  const tmp = `${file}.part-${process.pid}`;
  const w = await createFile(tmp, { compression: codec });
  const t = w.writeTree("Events", EVENT_SCHEMA, { title: "Events", basketSize: 512_000 });
  for (let done = 0; done < events; done += 50_000) t.write(generateChunk(rng, MODELS.ttbar__nominal, Math.min(50_000, events - done), done));
  await w.close();
  renameSync(tmp, file);
  return file;
}
