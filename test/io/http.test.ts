import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { HttpSource } from "../../src/io/http.js";
import { coalesce } from "../../src/io/spans.js";
import { openFile } from "../../src/root/index.js";
import { isHepflowError } from "../../src/util/index.js";
import { ROOT_DATA, rootFile } from "../shared.js";
import { startFileServer } from "../helpers/http-server.js";

const NAME = "uproot-HZZ-zlib.root";
const local = readFileSync(rootFile(NAME));

describe("HttpSource against a well-behaved server", () => {
  let srv: Awaited<ReturnType<typeof startFileServer>>;
  beforeAll(async () => {
    srv = await startFileServer(ROOT_DATA);
  });
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
    const ranges = [
      { offset: 0, length: 10 },
      { offset: 50, length: 10 },
      { offset: 20_000, length: 100 },
      { offset: 100_000, length: 7 },
    ];
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
    } finally {
      await srv.close();
    }
  });

  it("falls back to single-range requests when multi-range answers carry one range", async () => {
    const srv = await startFileServer(ROOT_DATA, { singleRangeOnly: true });
    try {
      const src = new HttpSource(`${srv.url}/${NAME}`, { coalesceGap: 0 });
      const ranges = [
        { offset: 10, length: 10 },
        { offset: 30_000, length: 10 },
        { offset: 90_000, length: 10 },
      ];
      const got = await src.readMany(ranges);
      ranges.forEach((r, i) => expect(Buffer.compare(got[i]!, local.subarray(r.offset, r.offset + r.length))).toBe(0));
    } finally {
      await srv.close();
    }
  });

  it("retries dropped connections and 503s with backoff", async () => {
    for (const mode of [{ dropFirst: 2 }, { fail503First: 3 }]) {
      const srv = await startFileServer(ROOT_DATA, mode);
      try {
        const src = new HttpSource(`${srv.url}/${NAME}`, { retryBaseMs: 5 });
        const got = await src.read(0, 100);
        expect(Buffer.compare(got, local.subarray(0, 100))).toBe(0);
        expect(src.stats.retries).toBeGreaterThanOrEqual(2);
      } finally {
        await srv.close();
      }
    }
  });

  it("gives up after maxRetries with the cause in the message, never hangs", async () => {
    const srv = await startFileServer(ROOT_DATA, { fail503First: 1000 });
    try {
      const err = await new HttpSource(`${srv.url}/${NAME}`, { retryBaseMs: 1, maxRetries: 2 }).size().catch((e) => e);
      expect(isHepflowError(err, "IO_HTTP")).toBe(true);
      expect(err.message).toMatch(/failed after 3 attempts: HTTP 503/);
    } finally {
      await srv.close();
    }
  });

  it("keeps no more than maxInFlight requests open", async () => {
    let open = 0,
      peak = 0;
    const srv = await startFileServer(ROOT_DATA);
    srv.server.prependListener("request", (_req, res) => {
      open++;
      peak = Math.max(peak, open);
      res.on("finish", () => open--);
    });
    try {
      const src = new HttpSource(`${srv.url}/${NAME}`, { maxInFlight: 2, multiRange: false, coalesceGap: 0 });
      const ranges = Array.from({ length: 12 }, (_, i) => ({ offset: i * 8000, length: 100 }));
      await src.readMany(ranges);
      expect(peak).toBeLessThanOrEqual(2);
    } finally {
      await srv.close();
    }
  });
});

describe("coalesce", () => {
  it("merges overlapping and near ranges, keeps far ones apart, sorts", () => {
    expect(
      coalesce(
        [
          { offset: 100, length: 10 },
          { offset: 0, length: 10 },
          { offset: 15, length: 5 },
        ],
        5,
      ),
    ).toEqual([
      { start: 0, end: 20 },
      { start: 100, end: 110 },
    ]);
  });
});

describe("HTTP timeouts, Range detection and the block cache (issue 13 item 9)", () => {
  it("a slow but live server (2 bytes / 20 ms) is read; the idle timer only fires on silence", async () => {
    const srv = await startFileServer(ROOT_DATA, { trickle: { bytes: 2, everyMs: 20 } });
    try {
      // 40 bytes at 2 per 20 ms take ~0.4 s, well past the 200 ms idle timeout: only silence counts.
      const src = new HttpSource(`${srv.url}/${NAME}`, { idleTimeoutMs: 200, firstByteTimeoutMs: 2000, blockSize: 40 });
      const got = await src.read(0, 40);
      expect(Buffer.compare(got, local.subarray(0, 40))).toBe(0);
      await src.close();
    } finally {
      await srv.close();
    }
  }, 30_000);

  it("a stalled body fails after idle timeout x attempts, naming the stall", async () => {
    const srv = await startFileServer(ROOT_DATA, { stallBody: true });
    try {
      const t0 = Date.now();
      const err = await new HttpSource(`${srv.url}/${NAME}`, { idleTimeoutMs: 150, maxRetries: 1, retryBaseMs: 1 }).size().catch((e) => e);
      expect(isHepflowError(err, "IO_HTTP")).toBe(true);
      expect(err.message).toMatch(/stalled.*150 ms/);
      // Two attempts of 150 ms plus a backoff of ~1 ms; 3 s leaves room for a loaded machine.
      expect(Date.now() - t0).toBeLessThan(3000);
    } finally {
      await srv.close();
    }
  }, 30_000);

  it("a server that never answers fails on the first-byte timeout", async () => {
    const srv = await startFileServer(ROOT_DATA, { neverAnswer: true });
    try {
      const err = await new HttpSource(`${srv.url}/${NAME}`, { firstByteTimeoutMs: 150, maxRetries: 0 }).size().catch((e) => e);
      expect(err.message).toMatch(/first byte timed out after 150 ms/);
    } finally {
      await srv.close();
    }
  }, 30_000);

  it("a server that ignores Range is detected from the status, without downloading the body", async () => {
    // Trickled: reading the whole 200 answer would take minutes; detection must not wait for it.
    const srv = await startFileServer(ROOT_DATA, { ignoreRange: true, trickle: { bytes: 1000, everyMs: 50 } });
    try {
      const src = new HttpSource(`${srv.url}/${NAME}`);
      const t0 = Date.now();
      const err = await src.size().catch((e) => e);
      expect(isHepflowError(err, "IO_NO_RANGE")).toBe(true);
      expect(src.stats.bytes).toBe(0);
      expect(Date.now() - t0).toBeLessThan(3000);
    } finally {
      await srv.close();
    }
  }, 30_000);

  it("twenty concurrent reads of the same bytes fetch them once", async () => {
    const srv = await startFileServer(ROOT_DATA);
    try {
      const src = new HttpSource(`${srv.url}/${NAME}`);
      await src.size();
      const before = src.stats.bytes;
      const ranges = [
        { offset: 1000, length: 150_000 },
        { offset: 180_000, length: 30_000 },
      ];
      const all = await Promise.all(Array.from({ length: 20 }, () => src.readMany(ranges)));
      for (const got of all) ranges.forEach((r, i) => expect(Buffer.compare(got[i]!, local.subarray(r.offset, r.offset + r.length))).toBe(0));
      const moved = src.stats.bytes - before;
      // The blocks covering both ranges (64 KiB aligned), once: at most the ranges plus one block at each end.
      expect(moved).toBeLessThanOrEqual(150_000 + 30_000 + 4 * 65536);
      expect(moved).toBeGreaterThanOrEqual(180_000);
      await src.close();
    } finally {
      await srv.close();
    }
  });

  it("the cache stays within its bound", async () => {
    const srv = await startFileServer(ROOT_DATA);
    try {
      const src = new HttpSource(`${srv.url}/${NAME}`, { blockSize: 4096, cacheBytes: 16_384, coalesceGap: 0 });
      await src.read(0, 100_000);
      await src.read(0, 4096); // evicted long ago: fetched again
      expect(src.stats.cacheHits).toBe(0);
      await src.read(100_000 - 4096, 100); // among the last 4 blocks: a hit
      expect(src.stats.cacheHits).toBe(1);
      await src.close();
    } finally {
      await srv.close();
    }
  });

  it("openFile(url, { http }) and the CLI pass the timeouts through", async () => {
    const srv = await startFileServer(ROOT_DATA, { stallBody: true });
    try {
      const err = await openFile(`${srv.url}/${NAME}`, { http: { idleTimeoutMs: 100, maxRetries: 0 } }).catch((e) => e);
      expect(err.message).toMatch(/stalled.*100 ms/);
      // Asynchronously: a spawnSync would block this process, which is also the server.
      const { execFile } = await import("node:child_process");
      const bin = new URL("../../bin/hepflow.js", import.meta.url).pathname;
      const r = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
        execFile(process.execPath, [bin, "--idle-timeout", "0.1", "ls", `${srv.url}/${NAME}`], { encoding: "utf8", timeout: 60_000 }, (e, _out, stderr) => resolve({ status: e ? ((e as { code?: number }).code ?? null) : 0, stderr }));
      });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/stalled.*100 ms/);
    } finally {
      await srv.close();
    }
  }, 60_000);
});
