import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { HttpSource, coalesce } from "../../src/io/http.js";
import { openFile } from "../../src/root/index.js";
import { isHepflowError } from "../../src/util/index.js";
import { ROOT_DATA, rootFile } from "../shared.js";
import { startFileServer } from "../helpers/http-server.js";

const NAME = "uproot-HZZ-zlib.root";
const local = readFileSync(rootFile(NAME));

describe("HttpSource against a well-behaved server", () => {
  let srv: Awaited<ReturnType<typeof startFileServer>>;
  beforeAll(async () => { srv = await startFileServer(ROOT_DATA); });
  afterAll(() => srv.close());

  it("reads the size and exact byte ranges", async () => {
    const src = new HttpSource(`${srv.url}/${NAME}`);
    expect(await src.size()).toBe(local.length);
    const got = await src.read(1000, 5000);
    expect(Buffer.compare(got, local.subarray(1000, 6000))).toBe(0);
  });

  it("coalesces nearby ranges and batches far ones into one multi-range request", async () => {
    const src = new HttpSource(`${srv.url}/${NAME}`, { coalesceGap: 100 });
    await src.size();
    const before = src.stats.requests;
    const ranges = [{ offset: 0, length: 10 }, { offset: 50, length: 10 }, { offset: 20_000, length: 100 }, { offset: 100_000, length: 7 }];
    const got = await src.readMany(ranges);
    ranges.forEach((r, i) => expect(Buffer.compare(got[i]!, local.subarray(r.offset, r.offset + r.length))).toBe(0));
    expect(src.stats.requests - before).toBe(1); // 3 spans, one multipart request
  });

  it("opens a ROOT file over HTTP and sees the same keys and object bytes as on disk", async () => {
    const remote = await openFile(`${srv.url}/${NAME}`);
    const disk = await openFile(rootFile(NAME));
    expect((await remote.keys()).map((k) => k.path)).toEqual((await disk.keys()).map((k) => k.path));
    const a = await remote.readKeyPayload(await remote.key("events"));
    const b = await disk.readKeyPayload(await disk.key("events"));
    expect(Buffer.compare(a, b)).toBe(0);
    await Promise.all([remote.close(), disk.close()]);
  });

  it("fails clearly on 404 and on reads past the end", async () => {
    const err = await new HttpSource(`${srv.url}/nope.root`).size().catch((e) => e);
    expect(isHepflowError(err, "IO_NOT_FOUND")).toBe(true);
    expect(err.message).toContain("nope.root");
    const src = new HttpSource(`${srv.url}/${NAME}`);
    await expect(src.read(local.length - 10, 100)).rejects.toThrow(/file ends at byte/);
  });
});

describe("HttpSource against misbehaving servers", () => {
  it("refuses a server that ignores Range, with an actionable message", async () => {
    const srv = await startFileServer(ROOT_DATA, { ignoreRange: true });
    try {
      const err = await new HttpSource(`${srv.url}/${NAME}`).size().catch((e) => e);
      expect(isHepflowError(err, "IO_NO_RANGE")).toBe(true);
      expect(err.message).toMatch(/ignores HTTP Range/);
    } finally { await srv.close(); }
  });

  it("falls back to single-range requests when multi-range answers carry one range", async () => {
    const srv = await startFileServer(ROOT_DATA, { singleRangeOnly: true });
    try {
      const src = new HttpSource(`${srv.url}/${NAME}`, { coalesceGap: 0 });
      const ranges = [{ offset: 10, length: 10 }, { offset: 30_000, length: 10 }, { offset: 90_000, length: 10 }];
      const got = await src.readMany(ranges);
      ranges.forEach((r, i) => expect(Buffer.compare(got[i]!, local.subarray(r.offset, r.offset + r.length))).toBe(0));
    } finally { await srv.close(); }
  });

  it("retries dropped connections and 503s with backoff", async () => {
    for (const mode of [{ dropFirst: 2 }, { fail503First: 3 }]) {
      const srv = await startFileServer(ROOT_DATA, mode);
      try {
        const src = new HttpSource(`${srv.url}/${NAME}`, { retryBaseMs: 5 });
        const got = await src.read(0, 100);
        expect(Buffer.compare(got, local.subarray(0, 100))).toBe(0);
        expect(src.stats.retries).toBeGreaterThanOrEqual(2);
      } finally { await srv.close(); }
    }
  });

  it("gives up after maxRetries with the cause in the message, never hangs", async () => {
    const srv = await startFileServer(ROOT_DATA, { fail503First: 1000 });
    try {
      const err = await new HttpSource(`${srv.url}/${NAME}`, { retryBaseMs: 1, maxRetries: 2 }).size().catch((e) => e);
      expect(isHepflowError(err, "IO_HTTP")).toBe(true);
      expect(err.message).toMatch(/failed after 3 attempts: HTTP 503/);
    } finally { await srv.close(); }
  });

  it("keeps no more than maxInFlight requests open", async () => {
    let open = 0, peak = 0;
    const srv = await startFileServer(ROOT_DATA);
    srv.server.prependListener("request", (_req, res) => { open++; peak = Math.max(peak, open); res.on("finish", () => open--); });
    try {
      const src = new HttpSource(`${srv.url}/${NAME}`, { maxInFlight: 2, multiRange: false, coalesceGap: 0 });
      const ranges = Array.from({ length: 12 }, (_, i) => ({ offset: i * 8000, length: 100 }));
      await src.readMany(ranges);
      expect(peak).toBeLessThanOrEqual(2);
    } finally { await srv.close(); }
  });
});

describe("coalesce", () => {
  it("merges overlapping and near ranges, keeps far ones apart, sorts", () => {
    expect(coalesce([{ offset: 100, length: 10 }, { offset: 0, length: 10 }, { offset: 15, length: 5 }], 5)).toEqual([{ start: 0, end: 20 }, { start: 100, end: 110 }]);
  });
});
