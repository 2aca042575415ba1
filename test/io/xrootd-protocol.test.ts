// The XRootD client against a scripted fake server: the protocol corners a real server rarely
// shows on demand. Every failure must be a HepflowError, and nothing may hang.
import { afterEach, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { XRootDSource } from "../../src/io/xrootd-source.js";
import { parseXrdUrl } from "../../src/io/xrootd-session.js";
import { parseSecurity, discoverToken } from "../../src/io/xrootd-auth.js";
import { isHepflowError } from "../../src/util/index.js";
import { frame, startFake, type Fake, type FakeRequest } from "./xrootd-fake.js";
import { mkdtempSync, writeFileSync, chmodSync, readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import path from "node:path";

const FILE = randomBytes(300_000);
const READ = 3013,
  OPEN = 3010,
  PROTOCOL = 3006,
  READV = 3025;
let fakes: Fake[] = [];
const sources: XRootDSource[] = [];

async function fake(): Promise<Fake> {
  const f = await startFake(FILE);
  fakes.push(f);
  return f;
}
function source(f: Fake, opts = {}): XRootDSource {
  const s = new XRootDSource(`root://127.0.0.1:${f.port}//data/file.root`, opts);
  sources.push(s);
  return s;
}
const same = (a: Uint8Array, off: number) => Buffer.compare(Buffer.from(a), FILE.subarray(off, off + a.length)) === 0;

afterEach(async () => {
  for (const s of sources.splice(0)) await s.close().catch(() => {});
  for (const f of fakes) await f.close();
  fakes = [];
});

describe("URLs", () => {
  it("parses root:// and roots:// URLs with user, port, path and opaque query", () => {
    expect(parseXrdUrl("root://cms-xrd-global.cern.ch//store/mc/a.root")).toEqual({ scheme: "root", user: undefined, host: "cms-xrd-global.cern.ch", port: 1094, path: "/store/mc/a.root", cgi: "" });
    expect(parseXrdUrl("roots://alice@eos.cern.ch:1095//eos/x.root?authz=abc")).toEqual({ scheme: "roots", user: "alice", host: "eos.cern.ch", port: 1095, path: "/eos/x.root", cgi: "authz=abc" });
    expect(() => parseXrdUrl("root:/nohost")).toThrow(/not an XRootD URL/);
  });

  it("parses the login security offer and discovers bearer tokens as the WLCG profile says", () => {
    expect(parseSecurity("&P=unix&P=ztn,TLS:0:4096:&P=gsi,v:10600,c:ssl,ca:abc")).toEqual([
      { name: "unix", params: "" },
      { name: "ztn", params: "TLS:0:4096:" },
      { name: "gsi", params: "v:10600,c:ssl,ca:abc" },
    ]);
    const dir = mkdtempSync(path.join(tmpdir(), "bt-"));
    const uid = process.getuid!();
    expect(discoverToken({ BEARER_TOKEN: "  tok1\n" })).toEqual({ token: "tok1", from: "BEARER_TOKEN" });
    const f = path.join(dir, "t");
    writeFileSync(f, "tok2\n");
    chmodSync(f, 0o600);
    expect(discoverToken({ BEARER_TOKEN_FILE: f })?.token).toBe("tok2");
    writeFileSync(path.join(dir, `bt_u${uid}`), "tok3");
    chmodSync(path.join(dir, `bt_u${uid}`), 0o600);
    expect(discoverToken({ XDG_RUNTIME_DIR: dir })?.token).toBe("tok3");
    chmodSync(f, 0o644);
    expect(() => discoverToken({ BEARER_TOKEN_FILE: f })).toThrow(/readable by others/);
  });
});

describe("XRootD protocol corners (fake server)", () => {
  it("joins a read split into kXR_oksofar pieces, sent a few bytes at a time", async () => {
    const f = await fake();
    f.on.set(READ, (req, c) => {
      const off = Number(req.body.readBigInt64BE(4)),
        len = req.body.readInt32BE(12);
      const data = FILE.subarray(off, off + len);
      const cut = [0, 7, 5000, len];
      const bytes = Buffer.concat([frame(req.streamId, 4000, data.subarray(cut[0], cut[1])), frame(req.streamId, 4000, data.subarray(cut[1], cut[2])), frame(req.streamId, 0, data.subarray(cut[2], cut[3]))]);
      // TCP may cut frames anywhere: deliver in 3-byte slivers.
      let i = 0;
      const drip = () => {
        if (i < bytes.length) {
          c.raw(bytes.subarray(i, i + 3));
          i += 3;
          setImmediate(drip);
        }
      };
      drip();
      return true;
    });
    const s = source(f);
    const got = await s.read(1000, 20_000);
    expect(got.length).toBe(20_000);
    expect(same(got, 1000)).toBe(true);
  });

  it("matches answers sent out of order to their requests by stream id", async () => {
    const f = await fake();
    const held: Array<() => void> = [];
    f.on.set(READ, (req, c) => {
      const off = Number(req.body.readBigInt64BE(4)),
        len = req.body.readInt32BE(12);
      held.push(() => c.reply(req, 0, FILE.subarray(off, off + len)));
      if (held.length === 10) for (const h of held.reverse()) h();
      return true;
    });
    const s = source(f);
    await s.size();
    const offsets = Array.from({ length: 10 }, (_, i) => i * 1234);
    const got = await Promise.all(offsets.map((o) => s.read(o, 100)));
    got.forEach((g, i) => expect(same(g, offsets[i]!)).toBe(true));
    // All ten were in flight at once on one connection, under distinct stream ids.
    const ids = new Set(f.requests.filter((r) => r.code === READ).map((r) => r.streamId.readUInt16BE(0)));
    expect(ids.size).toBe(10);
  });

  it("re-sends after kXR_wait", async () => {
    const f = await fake();
    let opens = 0;
    f.on.set(OPEN, (req, c) => {
      if (opens++ > 0) return false;
      const b = Buffer.alloc(4);
      b.writeInt32BE(1, 0); // wait one second
      c.reply(req, 4005, Buffer.concat([b, Buffer.from("staging\0")]));
      return true;
    });
    const s = source(f);
    const t0 = Date.now();
    expect(await s.size()).toBe(FILE.length);
    expect(opens).toBe(2);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900); // it did wait the second asked (timer slack 100 ms)
  });

  it("gives up when the server keeps asking to wait longer than allowed", async () => {
    const f = await fake();
    f.on.set(OPEN, (req, c) => {
      const b = Buffer.alloc(4);
      b.writeInt32BE(1, 0);
      c.reply(req, 4005, b);
      return true;
    });
    const err = await source(f, { maxWaitSeconds: 1 })
      .size()
      .catch((e) => e);
    expect(isHepflowError(err, "IO_XROOTD_BUSY")).toBe(true);
    expect(err.message).toMatch(/wait/);
  });

  it("takes a deferred answer (kXR_waitresp then kXR_attn asynresp)", async () => {
    const f = await fake();
    f.on.set(READ, (req, c) => {
      const off = Number(req.body.readBigInt64BE(4)),
        len = req.body.readInt32BE(12);
      const secs = Buffer.alloc(4);
      secs.writeInt32BE(5, 0);
      c.reply(req, 4006, secs);
      setTimeout(() => {
        const inner = frame(req.streamId, 0, FILE.subarray(off, off + len));
        const head = Buffer.alloc(8);
        head.writeInt32BE(5008, 0);
        c.raw(frame(Buffer.alloc(2), 4001, Buffer.concat([head, inner])));
      }, 150);
      return true;
    });
    const s = source(f, { idleTimeoutMs: 100 }); // the park must not count as idleness
    const got = await s.read(5000, 3000);
    expect(same(got, 5000)).toBe(true);
  });

  it("detects a redirect loop", async () => {
    const f = await fake();
    f.on.set(OPEN, (req, c) => {
      const b = Buffer.alloc(4);
      b.writeInt32BE(f.port, 0);
      c.reply(req, 4004, Buffer.concat([b, Buffer.from("127.0.0.1")]));
      return true;
    });
    const err = await source(f)
      .size()
      .catch((e) => e);
    expect(isHepflowError(err, "IO_XROOTD_REDIRECT")).toBe(true);
    expect(err.message).toMatch(/redirect loop/);
    expect(err.message).toContain(`127.0.0.1:${f.port}`);
  });

  it("stops after the hop limit when every redirect looks new", async () => {
    const f = await fake();
    let n = 0;
    f.on.set(OPEN, (req, c) => {
      const b = Buffer.alloc(4);
      b.writeInt32BE(f.port, 0);
      c.reply(req, 4004, Buffer.concat([b, Buffer.from(`127.0.0.1?hop=${n++}`)]));
      return true;
    });
    const err = await source(f, { maxRedirects: 4 })
      .size()
      .catch((e) => e);
    expect(isHepflowError(err, "IO_XROOTD_REDIRECT")).toBe(true);
    expect(err.message).toMatch(/more than 4 redirects/);
    expect(n).toBe(5);
  });

  it("fails cleanly on a server that does not speak XRootD", async () => {
    const f = await fake();
    f.garbageHandshake = true;
    const err = await source(f, { maxRetries: 0 })
      .size()
      .catch((e) => e);
    expect(isHepflowError(err, "IO_XROOTD_PROTOCOL")).toBe(true);
    expect(err.message).toContain(`root://127.0.0.1:${f.port}//data/file.root`);
  });

  it("fails cleanly on a garbage frame in the middle of a session", async () => {
    const f = await fake();
    f.on.set(READ, (_req, c) => {
      c.raw(Buffer.from([0xde, 0xad, 0xbe, 0xef, 0xff, 0xff, 0xff, 0xff, 1, 2, 3]));
      return true;
    });
    const s = source(f, { maxRetries: 0 });
    await s.size();
    const err = await s.read(0, 100).catch((e) => e);
    expect(isHepflowError(err, "IO_XROOTD_PROTOCOL")).toBe(true);
  });

  it("times out a server that stops answering, and maps server errors", async () => {
    const f = await fake();
    f.on.set(READ, () => true); // never answers
    const s = source(f, { idleTimeoutMs: 300, maxRetries: 1, retryBaseMs: 10 });
    const t0 = Date.now();
    const err = await s.read(0, 10).catch((e) => e);
    expect(isHepflowError(err, "IO_XROOTD_TIMEOUT")).toBe(true);
    expect(Date.now() - t0).toBeLessThan(5000);
    const g = await fake();
    g.on.set(READV, (req, c) => {
      const b = Buffer.alloc(4);
      b.writeInt32BE(3007, 0);
      c.reply(req, 4003, Buffer.concat([b, Buffer.from("disk on fire\0")]));
      return true;
    });
    const e2 = await source(g)
      .readMany([
        { offset: 0, length: 10 },
        { offset: 100_000, length: 10 },
      ])
      .catch((e) => e);
    expect(isHepflowError(e2, "IO_XROOTD_IO")).toBe(true);
    expect(e2.message).toMatch(/disk on fire.*kXR_IOError/);
  });

  it("sends small readInto ranges of one tick as one kXR_readv and large ones as kXR_read", async () => {
    const f = await fake();
    const s = source(f);
    await s.size();
    const small = Array.from({ length: 40 }, (_, i) => ({ offset: 1000 + i * 5000, dst: new Uint8Array(3000) }));
    const large = { offset: 10, dst: new Uint8Array(270_000) };
    const before = f.requests.length;
    await Promise.all([...small, large].map((r) => s.readInto(r.offset, r.dst)));
    for (const r of [...small, large]) expect(same(r.dst, r.offset)).toBe(true);
    const sent = f.requests.slice(before).map((r) => r.code);
    // 40 ranges: one readv rather than 40 requests, of which only 16 may be in flight at once.
    expect(sent.filter((c) => c === READV).length).toBe(1);
    expect(sent.filter((c) => c === READ).length).toBe(1);
  });

  it("splits readv at the server's limits and reassembles the ranges", async () => {
    const f = await fake();
    f.on.set(3001, (req: FakeRequest, c) => {
      c.reply(req, 0, Buffer.from("1000\n4\n"));
      return true;
    });
    const s = source(f);
    const ranges = Array.from({ length: 9 }, (_, i) => ({ offset: i * 30_000, length: 2500 }));
    const got = await s.readMany(ranges);
    got.forEach((g, i) => expect(same(g, ranges[i]!.offset)).toBe(true));
    const readvs = f.requests.filter((r) => r.code === READV);
    // 9 ranges of 2500 bytes → 27 elements of ≤ 1000 bytes → 7 readv requests of ≤ 4 elements.
    expect(readvs.length).toBe(7);
    for (const r of readvs) expect(r.data.length / 16).toBeLessThanOrEqual(4);
    expect(f.requests.filter((r) => r.code === PROTOCOL).length).toBe(1);
  });
});

describe("authentication (fake server)", () => {
  let tlsPair: { key: string; cert: string };
  const selfSigned = () => {
    if (tlsPair) return tlsPair;
    const dir = mkdtempSync(path.join(tmpdir(), "xrd-tls-"));
    const r = spawnSync(
      "openssl",
      ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", path.join(dir, "key.pem"), "-out", path.join(dir, "cert.pem"), "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1"],
      { encoding: "utf8" },
    );
    if (r.status !== 0) throw new Error(`openssl (Debian package openssl) failed: ${r.error?.message ?? r.stderr}`);
    tlsPair = { key: readFileSync(path.join(dir, "key.pem"), "utf8"), cert: readFileSync(path.join(dir, "cert.pem"), "utf8") };
    return tlsPair;
  };

  it("sends unix credentials when the server asks for them", async () => {
    const f = await fake();
    f.security = "&P=unix";
    expect(await source(f).size()).toBe(FILE.length);
    expect(f.auths).toHaveLength(1);
    const [type, cred] = f.auths[0]!;
    expect(type).toBe("unix");
    expect(cred.toString("latin1")).toMatch(/^unix\0[^\0 ]+( [^\0]+)?\0$/);
  });

  it("sends a bearer token (ztn) after switching to TLS, in the layout the server checks", async () => {
    const f = await fake();
    f.tls = selfSigned();
    f.security = "&P=ztn,TLS:0:4096:";
    const token = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0.c2ln";
    const s = new XRootDSource(`roots://127.0.0.1:${f.port}//data/file.root`, { token, tlsOptions: { ca: f.tls.cert } });
    sources.push(s);
    const got = await s.read(10, 1000);
    expect(same(got, 10)).toBe(true);
    expect(s.encrypted).toBe(true);
    const [type, cred] = f.auths[0]!;
    expect(type).toBe("ztn");
    // XrdSecProtocolztn::Authenticate: "ztn\0", version 0, 'T', then a big-endian length that counts the NUL.
    expect(cred.subarray(0, 4).toString("latin1")).toBe("ztn\0");
    expect([cred[4], String.fromCharCode(cred[5]!)]).toEqual([0, "T"]);
    const len = cred.readUInt16BE(8);
    expect(10 + len).toBeLessThanOrEqual(cred.length);
    expect(cred[10 + len - 1]).toBe(0);
    expect(cred.subarray(10, 10 + len - 1).toString("utf8")).toBe(token);
  });

  it("refuses ztn without TLS, and a server certificate it cannot verify", async () => {
    const f = await fake();
    f.security = "&P=ztn,TLS:0:4096:";
    const err = await source(f, { token: "abc" })
      .size()
      .catch((e) => e);
    expect(isHepflowError(err, "IO_XROOTD_AUTH")).toBe(true);
    expect(err.message).toMatch(/ztn \(needs TLS: use roots:\/\/\)/);
    const g = await fake();
    g.tls = selfSigned();
    const s = new XRootDSource(`roots://127.0.0.1:${g.port}//data/file.root`, { maxRetries: 0 });
    sources.push(s);
    const e2 = await s.size().catch((e) => e);
    expect(isHepflowError(e2, "IO_XROOTD_TLS")).toBe(true);
    expect(e2.message).toMatch(/self.signed|certificate/i);
  });

  it("says GSI is not implemented and how to work around it", async () => {
    const f = await fake();
    f.security = "&P=gsi,v:10600,c:ssl,ca:abcd1234";
    const err = await source(f)
      .size()
      .catch((e) => e);
    expect(isHepflowError(err, "IO_XROOTD_AUTH")).toBe(true);
    expect(err.message).toMatch(/offers gsi/);
    expect(err.message).toMatch(/GSI\/X\.509 proxy authentication is not implemented/);
    expect(err.message).toMatch(/xrdcp/);
    expect(err.message).toContain(`root://127.0.0.1:${f.port}//data/file.root`);
  });
});
