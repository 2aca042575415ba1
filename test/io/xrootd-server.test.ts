// root:// against the real XRootD server (Debian xrootd-server 5.5), in a network namespace of
// its own (see xrootd-servers.mjs). The namespace side reports digests of what it read; this
// side reads the same files from disk and compares.
import { readdirSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { openFile } from "../../src/root/index.js";
import { ROOT_DATA } from "../shared.js";
// @ts-expect-error plain JS helper shared with the namespace side
import { inNamespace } from "./xrootd-servers.mjs";
// @ts-expect-error plain JS helper shared with the namespace side
import { digestFile } from "./xrootd-digest.mjs";
import { generateAgc } from "../../src/generate/index.js";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";

/**
 * Files with thousands of branches (one `arrays` call each) or a slow single-column decode:
 * together they take ~55 s of the ~63 s it takes to read the whole corpus once, and they test
 * the ROOT decoder, not the transport. Every other TTree/RNTuple file of the corpus is read.
 */
const SLOW = new Set([
  "uproot-issue371.root",
  "uproot-issue-210.root",
  "uproot-issue-123a.root",
  "uproot-issue-123b.root",
  "uproot-issue-798.root",
  "uproot-physlite-rntuple_v1-0-0-0.root",
  "uproot-issue-951.root",
  "uproot-issue403.root",
  "test_int_multicluster_rntuple_v1-0-0-0.root",
]);

interface ErrorReport {
  ok?: boolean;
  code?: string;
  message?: string;
  name?: string;
}
interface ReadReport {
  digests: Record<string, Record<string, string>>;
  readvs: number;
  listing: string[];
  glob: string[];
  globNone: ErrorReport;
  readv: { ranges: number; mismatches: number; readvRequests: number; size: number; localSize: number };
  lanes: { pieces: number; mismatches: number; opens: number; reads: number };
  redirect: { digests: Record<string, string>; opens: number; endpoint: string };
  notFound: ErrorReport;
  denied: ErrorReport;
  refused: ErrorReport;
  pastEnd: ErrorReport;
}

async function localDigests(name: string): Promise<Record<string, string> | undefined> {
  let f;
  try {
    f = await openFile(path.join(ROOT_DATA, name));
  } catch {
    return undefined;
  }
  try {
    return await digestFile(f);
  } finally {
    await f.close();
  }
}

describe("root:// against a real xrootd (and a redirector) in a private network namespace", () => {
  const names = readdirSync(ROOT_DATA)
    .filter((n) => n.endsWith(".root") && !SLOW.has(n))
    .sort();
  const local: Record<string, Record<string, string>> = {};
  let report: ReadReport;

  beforeAll(async () => {
    for (const n of names) {
      const d = await localDigests(n);
      if (d && Object.keys(d).length) local[n] = d;
    }
    const files = Object.keys(local).map((n) => path.join(ROOT_DATA, n));
    report = await inNamespace("read", { files, redirectFile: path.join(ROOT_DATA, "uproot-HZZ.root") }, 110_000);
  }, 150_000);

  it("reads every TTree/RNTuple of the corpus (bar the slow ones listed) with the same values as from disk", () => {
    // The corpus holds ~190 files with trees; fewer here would mean the selection broke.
    expect(Object.keys(local).length).toBeGreaterThan(170);
    let branches = 0;
    for (const [name, d] of Object.entries(local)) {
      expect(report.digests[name], name).toEqual(d);
      branches += Object.values(d).filter((v) => !v.startsWith("error:")).length;
    }
    expect(branches).toBeGreaterThan(1000);
    // The ROOT reader's batches went out as kXR_readv.
    expect(report.readvs).toBeGreaterThan(0);
  });

  it("answers 3000 scattered ranges through kXR_readv byte for byte", () => {
    expect(report.readv.mismatches).toBe(0);
    expect(report.readv.size).toBe(report.readv.localSize);
    expect(report.readv.readvRequests).toBeGreaterThanOrEqual(1);
  });

  it("spreads large reads over three connections, byte for byte", () => {
    expect(report.lanes.pieces).toBeGreaterThanOrEqual(3);
    expect(report.lanes.mismatches).toBe(0);
    expect(report.lanes.reads).toBe(report.lanes.pieces);
    // One open per connection: the reads really went over three.
    expect(report.lanes.opens).toBe(3);
  });

  it("follows a redirect from the redirector to the data server", () => {
    expect(report.redirect.endpoint).toBe("127.0.0.1:1094");
    expect(report.redirect.digests).toEqual(local["uproot-HZZ.root"]);
  });

  it("lists a directory and expands a wildcard URL (kXR_dirlist)", () => {
    const copied = Object.keys(local).sort();
    expect(report.listing).toEqual(copied);
    const hzz = copied.filter((n) => /^uproot-HZZ.*\.root$/.test(n));
    expect(hzz.length).toBeGreaterThan(3);
    // The glob went through the redirector; the URLs keep the server the user named.
    expect(report.glob).toEqual(hzz.map((n) => `root://127.0.0.1:2094//${n}`));
    expect(report.globNone).toMatchObject({ code: "IO_NOT_FOUND" });
    expect(report.globNone.message).toContain("nothing-*.root");
  });

  it("maps server errors to HepflowErrors naming the URL", () => {
    expect(report.notFound).toMatchObject({ name: "HepflowError", code: "IO_NOT_FOUND" });
    expect(report.notFound.message).toContain("root://127.0.0.1:1094//no/such/file.root");
    expect(report.notFound.message).toMatch(/no such file/i);
    expect(report.denied).toMatchObject({ name: "HepflowError", code: "IO_PERMISSION" });
    expect(report.denied.message).toContain("locked.root");
    expect(report.denied.message).toMatch(/permission denied/i);
    expect(report.refused).toMatchObject({ name: "HepflowError", code: "IO_XROOTD_CONN" });
    expect(report.refused.message).toMatch(/could not connect to 127\.0\.0\.1:3999/);
    expect(report.pastEnd).toMatchObject({ code: "IO_TRUNCATED" });
  });
});

describe("a server killed mid-read", () => {
  it("is retried when it comes back, and gives a clean error when it does not", async () => {
    const r = await inNamespace("kill", { file: path.join(ROOT_DATA, "uproot-HZZ-zlib.root") });
    expect(r.restarted.mismatches).toBe(0);
    expect(r.restarted.reads).toBeGreaterThan(40);
    expect(r.restarted.opens).toBeGreaterThanOrEqual(2); // the file was re-opened on the new server
    expect(r.dead.ok + r.dead.errors.length).toBe(50);
    for (const code of r.dead.errors) expect(["IO_XROOTD_CONN", "IO_XROOTD_TIMEOUT"]).toContain(code);
    expect(r.dead.message).toContain("root://127.0.0.1:1094//f.root");
    // Two retries with 50 ms backoff: well under the 10 s connect timeout, i.e. no hang.
    expect(r.dead.ms).toBeLessThan(10_000);
  }, 60_000);
});

describe("writing over root:// and `hepflow cp`", () => {
  it("writes pipelined pieces, copies local ↔ root:// ↔ http with adler32 equal to the server's and to xrdcp's", async () => {
    const r = await inNamespace("write", {});
    expect(r.writer).toEqual({ pieces: r.writer.pieces, same: true, size: 3_000_000, onDiskSame: true });
    expect(r.writer.pieces).toBeGreaterThan(15);
    expect(r.up.status, r.up.stderr).toBe(0);
    // Uploaded with 1 MiB chunks: six chunks, checksum confirmed by the server (kXR_query).
    expect(r.up.json.bytes).toBe(5_500_000);
    expect(r.up.json.verified.map((v: { against: string }) => v.against)).toEqual(["root://127.0.0.1:1094//cp/src.bin"]);
    // xrdcp computes its own adler32 of what it downloads: the same value. xrdcp prints it without
    // leading zeros (0b5a53e5 as "b5a53e5"), so the two are compared as numbers.
    expect(r.xrdcp.status).toBe(0);
    const xrdcpSum = /adler32: ([0-9a-f]+)/.exec(r.xrdcp.out)?.[1];
    expect(xrdcpSum, r.xrdcp.out).toBeDefined();
    expect(Number.parseInt(xrdcpSum!, 16)).toBe(Number.parseInt(r.up.json.adler32, 16));
    expect(r.xrdcpSame).toBe(true);
    expect(r.down.status, r.down.stderr).toBe(0);
    expect(r.down.json.adler32).toBe(r.up.json.adler32);
    // The server vouches for the source; the bytes written are the ones checksummed (as xrdcp does).
    expect(r.down.json.verified.map((v: { against: string }) => v.against)).toEqual(["root://127.0.0.1:1094//cp/src.bin"]);
    expect(r.downSame).toBe(true);
    for (const k of ["refuseRemote", "refuseLocal"]) {
      expect(r[k].status).toBe(1);
      expect(r[k].stderr).toMatch(/exists; pass --force/);
    }
    expect(r.forced.status, r.forced.stderr).toBe(0);
    expect(r.forcedSize).toBe(1_000_000);
    expect(r.http.status, r.http.stderr).toBe(0);
    expect(r.httpSame).toBe(true);
    expect(r.http.json.adler32).toBe(r.payloadAdler);
  }, 90_000);
});

describe("acceptance: `hepflow run examples/agc-ttbar` over root://", () => {
  it("gives histograms and cutflow identical to the local run (one sample named by a wildcard)", async () => {
    const genDir = mkdtempSync(path.join(tmpdir(), "hepflow-agc-xrd-"));
    await generateAgc({ events: 1000, out: genDir, filesPerSample: 1, dataLuminosity: 0.001, seed: 11 });
    const r = await inNamespace("agc", { genDir }, 150_000);
    expect(r.local.status, r.local.stderr).toBe(0);
    expect(r.remote.status, r.remote.stderr).toBe(0);
    expect(r.urls).toBeGreaterThanOrEqual(9);
    expect(r.remoteDataset).toEqual(["root://127.0.0.1:1094//gen/wjets/nominal/*.root"]);
    // Same events in the same order: every bin equal exactly, no tolerance.
    expect(Object.keys(r.local.histograms).length).toBeGreaterThan(50);
    expect(r.remote.histograms).toEqual(r.local.histograms);
    expect(r.remote.cutflow).toEqual(r.local.cutflow);
    // Item 5 of the issue, on the same server: ls and dump of a root:// file print what they print for the local file.
    expect(r.ls.same, r.ls.stderr).toBe(true);
    expect(r.ls.lines).toBeGreaterThan(20);
    expect(r.dump.same, r.dump.stderr).toBe(true);
    expect(r.dump.bytes).toBeGreaterThan(1000);
    // Remote (Redis) workers reading root://, histograms written with --out root:// and read back from the server's disk.
    expect(r.redis.status, r.redis.stderr).toBe(0);
    expect(r.redis.histograms).toEqual(r.local.histograms);
    expect(r.redis.cutflow).toEqual(r.local.cutflow);
    // The output rule on the server: a non-empty folder is not written into without --force.
    expect(r.redisAgain.status).toBe(1);
    expect(r.redisAgain.stderr).toMatch(/root:\/\/127\.0\.0\.1:1094\/\/results\/agc-redis.*not empty.*--force/);
    // The demo with --input root:// and --out root://: the whole folder (report included) uploaded, histograms as from the local file.
    expect(r.demo.status, r.demo.stderr).toBe(0);
    expect(r.demo.localStatus).toBe(0);
    expect(r.demo.report).toBe(true);
    expect(Object.keys(r.demo.histograms ?? {}).length).toBeGreaterThan(10);
    expect(r.demo.histograms).toEqual(r.demo.localHistograms);
    // One output file: written, refused the second time, replaced with --force; the same bytes as a local draw.
    expect(r.draw.statuses).toEqual([0, 1, 0, 0]);
    expect(r.draw.refused).toMatch(/exists on the server.*--force/);
    expect(r.draw.same).toBe(true);
    // A skim written to root:// reads back (ls, dump) as the same skim written locally.
    expect(r.skim.statuses, r.skim.stderr).toEqual([0, 0]);
    expect(r.skim.ls && r.skim.dump).toBe(true);
    expect(r.skim.dumpBytes).toBeGreaterThan(10_000);
    // An output that is also an input: refused even with --force.
    expect(r.selfInput.status).toBe(1);
    expect(r.selfInput.stderr).toMatch(/is \(or contains\) the input root:\/\/127\.0\.0\.1:1094\/\/results\/skim\.root/);
  }, 180_000);
});

describe("authentication and TLS against real servers", () => {
  it("logs in with unix credentials, switches to TLS when the server requires it, and speaks roots://", async () => {
    const r = await inNamespace("auth", { file: path.join(ROOT_DATA, "uproot-HZZ-lz4.root") });
    // `sec.protbind * only unix`: the server lets no one in without unix authentication.
    expect(r.unix).toEqual({ same: true, encrypted: false });
    // `xrootd.tls all`: even a root:// session is moved to TLS (kXR_gotoTLS).
    expect(r.tlsRequired).toEqual({ same: true, encrypted: true });
    expect(r.roots).toEqual({ same: true, encrypted: true });
    expect(r.rootsUntrusted.code).toBe("IO_XROOTD_TLS");
    expect(r.rootsUntrusted.message).toMatch(/self-signed certificate/);
    expect(r.rootsNoTls.code).toBe("IO_XROOTD_TLS");
    expect(r.rootsNoTls.message).toMatch(/does not offer it/);
  }, 60_000);
});
