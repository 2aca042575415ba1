/**
 * XRootD sessions: root:// URLs, a pool of shared connections per server, and following
 * kXR_redirect answers (with a hop limit and loop detection) for any request.
 */
import { HepflowError } from "../util/index.js";
import { XrdConnection, isTransient, type Reply } from "./xrootd-connection.js";
import { Query, Req } from "./xrootd-protocol.js";
import type tls from "node:tls";

/** Options shared by every XRootD source, writer and listing. */
export interface XrdOptions {
  connectTimeoutMs?: number;
  /** A request fails when the server sends nothing for this long (default 60 s). */
  idleTimeoutMs?: number;
  /** Re-opens after a dropped connection or timeout (default 3). */
  maxRetries?: number;
  /** First backoff between retries, doubled each time (default 200 ms). */
  retryBaseMs?: number;
  /** Most redirects one request follows (default 8). */
  maxRedirects?: number;
  maxWaitSeconds?: number;
  /** Bearer token to send instead of the WLCG discovery. */
  token?: string;
  tlsOptions?: tls.ConnectionOptions;
  /** Which of several connections to the same server (0: the shared one). */
  lane?: number;
}

export { DEFAULT_PORT, formatXrdUrl, isXrootdUrl, parseXrdUrl, type XrdUrl } from "./xrootd-url.js";
import { DEFAULT_PORT, parseXrdUrl, type XrdUrl } from "./xrootd-url.js";

/** Path plus opaque data as the server wants it in open/stat/dirlist payloads. */
export function pathWithCgi(u: XrdUrl): Buffer {
  return Buffer.from(u.cgi ? `${u.path}?${u.cgi}` : u.path, "utf8");
}

const pool = new Map<string, Promise<XrdConnection>>();

function poolKey(u: XrdUrl, lane = 0): string {
  return `${u.scheme}://${u.user ?? ""}@${u.host}:${u.port}#${lane}`;
}

/** A logged-in connection to the server of `u`, shared with other users of the same server. */
export async function acquire(u: XrdUrl, opt: XrdOptions, url: string): Promise<XrdConnection> {
  const key = poolKey(u, opt.lane);
  for (;;) {
    let p = pool.get(key);
    if (!p) {
      p = XrdConnection.connect({
        host: u.host,
        port: u.port,
        tls: u.scheme === "roots",
        user: u.user,
        token: opt.token,
        tlsOptions: opt.tlsOptions,
        connectTimeoutMs: opt.connectTimeoutMs,
        idleTimeoutMs: opt.idleTimeoutMs,
        maxWaitSeconds: opt.maxWaitSeconds,
        url,
      });
      pool.set(key, p);
      p.catch(() => {
        if (pool.get(key) === p) pool.delete(key);
      });
    }
    const conn = await p;
    if (conn.closed) {
      if (pool.get(key) === p) pool.delete(key);
      continue;
    }
    conn.refs++;
    return conn;
  }
}

/** Gives a connection back; the last user closes it (a closed one leaves the pool at once). */
export function release(conn: XrdConnection): void {
  conn.refs = Math.max(0, conn.refs - 1);
  if (conn.refs === 0 || conn.closed) {
    for (const [k, p] of pool) {
      p.then(
        (c) => {
          if (c === conn && pool.get(k) === p) pool.delete(k);
        },
        () => {},
      );
    }
    if (conn.refs === 0) conn.close();
  }
}

/** Drops a broken connection from the pool so the next acquire dials again. */
export function discard(conn: XrdConnection): void {
  conn.close();
  release(conn);
}

/** Where a request ended up after redirects: the connection (still acquired) and the answer body. */
export interface Landed {
  conn: XrdConnection;
  at: XrdUrl;
  body: Buffer;
}

/**
 * Sends a request built by `op` for `u`, following redirects to other servers. The caller owns
 * the returned connection and must release it. Dropped connections are retried `maxRetries`
 * times with backoff; server errors are not.
 */
export async function sendFollowing(u: XrdUrl, opt: XrdOptions, url: string, what: string, op: (conn: XrdConnection, at: XrdUrl) => Promise<Reply>): Promise<Landed> {
  const maxHops = opt.maxRedirects ?? 8;
  const seen = new Set<string>();
  let at = u;
  let hops = 0;
  for (let attempt = 0; ; ) {
    let conn: XrdConnection | undefined;
    try {
      conn = await acquire(at, opt, url);
      const reply = await op(conn, at);
      if (reply.kind === "ok") return { conn, at, body: reply.body };
      if (reply.kind === "authmore") throw new HepflowError("IO_XROOTD_PROTOCOL", `${what}: unexpected authmore answer`, { file: url });
      release(conn);
      conn = undefined;
      const where = `${reply.host}:${reply.port}?${reply.cgi}`;
      if (seen.has(where)) throw new HepflowError("IO_XROOTD_REDIRECT", `${what}: redirect loop (sent back to ${reply.host}:${reply.port} again after ${hops} hops)`, { file: url });
      seen.add(where);
      if (++hops > maxHops) throw new HepflowError("IO_XROOTD_REDIRECT", `${what}: more than ${maxHops} redirects (last to ${reply.host}:${reply.port})`, { file: url });
      if (reply.port < 0 || !reply.host) throw new HepflowError("IO_XROOTD_REDIRECT", `${what}: redirect to "${reply.host}" port ${reply.port}, which hepflow cannot follow`, { file: url });
      const cgi = [u.cgi, reply.cgi].filter(Boolean).join("&");
      at = { ...at, host: reply.host, port: reply.port || DEFAULT_PORT, cgi };
    } catch (e) {
      if (conn) {
        if (isTransient(e)) discard(conn);
        else release(conn);
      }
      if (!isTransient(e) || attempt >= (opt.maxRetries ?? 3)) throw e;
      attempt++;
      await backoff(opt, attempt);
      // After a failure start again from the URL the user gave: the redirector may pick another server.
      at = u;
    }
  }
}

export function backoff(opt: XrdOptions, attempt: number): Promise<void> {
  const ms = (opt.retryBaseMs ?? 200) * 2 ** (attempt - 1) * (0.75 + Math.random() / 2);
  return new Promise((r) => setTimeout(r, ms));
}

/** kXR_stat of a path: size, flags (XProtocol kXR_isDir...), modification time. */
export async function statUrl(url: string, opt: XrdOptions = {}): Promise<{ size: number; flags: number; mtime: number }> {
  const { parseStat } = await import("./xrootd-protocol.js");
  const u = parseXrdUrl(url);
  const landed = await sendFollowing(u, opt, url, "stat", (c, at) => c.send(Req.stat, undefined, pathWithCgi(at), "stat"));
  release(landed.conn);
  return parseStat(landed.body.toString("latin1"), url);
}

/** The checksum the server computes for a file (kXR_query cksum), e.g. { type: "adler32", value: "0a1b2c3d" }. */
export async function remoteChecksum(url: string, type = "adler32", opt: XrdOptions = {}): Promise<{ type: string; value: string }> {
  const u = parseXrdUrl(url);
  const withType: XrdUrl = { ...u, cgi: [u.cgi, `cks.type=${type}`].filter(Boolean).join("&") };
  const landed = await sendFollowing(withType, opt, url, "checksum query", (c, at) => c.send(Req.query, (b) => b.writeUInt16BE(Query.cksum, 0), pathWithCgi(at), "checksum query"));
  release(landed.conn);
  const text = landed.body.toString("latin1").replace(/\0+$/, "").trim();
  const [t, v] = text.split(/\s+/);
  if (!t || !v) throw new HepflowError("IO_XROOTD_PROTOCOL", `unreadable checksum answer "${text.slice(0, 80)}"`, { file: url });
  return { type: t, value: v.toLowerCase() };
}

/** Readv limits of a server (kXR_query config), cached per connection. */
export async function readvLimits(conn: XrdConnection): Promise<{ iorMax: number; iovMax: number }> {
  const c = conn as XrdConnection & { _readv?: Promise<{ iorMax: number; iovMax: number }> };
  c._readv ??= conn
    .send(Req.query, (b) => b.writeUInt16BE(Query.config, 0), Buffer.from("readv_ior_max\nreadv_iov_max"), "config query")
    .then(
      (r) => {
        const lines = r.kind === "ok" ? r.body.toString("latin1").replace(/\0+$/, "").split("\n") : [];
        const ior = Number(lines[0]),
          iov = Number(lines[1]);
        // Defaults of XRootD 5 when the server does not say.
        return { iorMax: ior > 0 ? ior : 2097136, iovMax: iov > 0 ? Math.min(iov, 1024) : 1024 };
      },
      () => ({ iorMax: 2097136, iovMax: 1024 }),
    );
  return c._readv;
}
