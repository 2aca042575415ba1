/**
 * One XRootD connection: TCP (or TLS) socket, handshake, kXR_protocol, login and authentication,
 * then many requests in flight at once, each under its own stream id. Answers are matched to
 * requests by stream id; kXR_oksofar pieces are joined, kXR_wait re-sends after the pause the
 * server asks for, kXR_waitresp parks the request until its kXR_attn(asynresp) arrives.
 * Redirects are handed back to the caller, who decides where to go next.
 */
import net from "node:net";
import tls from "node:tls";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { HepflowError } from "../util/index.js";
import { ATTN_ASYNRESP, PROTOCOL_VERSION, ProtoFlag, Req, ServerFlag, Status, handshake, request, serverError } from "./xrootd-protocol.js";
import { authenticate, type AuthOptions } from "./xrootd-auth.js";

export interface ConnectionOptions extends AuthOptions {
  host: string;
  port: number;
  /** roots://: TLS from the start of the session (after kXR_protocol), refused if the server has none. */
  tls?: boolean;
  /** Extra node:tls options (a CA for a private test server, servername...). */
  tlsOptions?: tls.ConnectionOptions;
  connectTimeoutMs?: number;
  /** A request fails when no byte has arrived for this long while it waits for an answer. */
  idleTimeoutMs?: number;
  /** Most seconds of kXR_wait one request accepts in total before giving up. */
  maxWaitSeconds?: number;
  /** URL used in error messages. */
  url: string;
}

/** What a request came back with: data, or where the server wants us to go instead. */
export type Reply = { kind: "ok"; body: Buffer } | { kind: "redirect"; host: string; port: number; cgi: string } | { kind: "authmore"; body: Buffer };

interface Pending {
  frame: Buffer;
  what: string;
  parts: Buffer[];
  /** Where the data of an ok/oksofar answer go directly, bytes copied once from the socket. */
  into?: Uint8Array;
  intoPos: number;
  waited: number;
  parked: boolean;
  timer?: NodeJS.Timeout;
  resolve(r: Reply): void;
  reject(e: Error): void;
}

const DEFAULT_CONNECT_MS = 10_000;
const DEFAULT_IDLE_MS = 60_000;
/** A frame longer than this is not an XRootD answer but garbage. */
const MAX_FRAME = 256 * 1024 * 1024;

/** True for errors after which a fresh connection may succeed (dropped socket, timeout). */
export function isTransient(e: unknown): boolean {
  return e instanceof HepflowError && (e.code === "IO_XROOTD_CONN" || e.code === "IO_XROOTD_TIMEOUT");
}

export class XrdConnection {
  /** kXR_protocol answer flags (manager/server, TLS). */
  serverFlags = 0;
  sessionId = Buffer.alloc(16);
  /** Users of this connection (sources, writers); the pool closes it when this drops to zero. */
  refs = 0;
  closed = false;
  /** True once the session runs over TLS (roots://, or the server asked for it). */
  encrypted = false;
  private socket: net.Socket;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private readonly header = Buffer.alloc(8);
  private headerHave = 0;
  private body?: Buffer;
  private direct?: Pending;
  private bodyHave = 0;
  private handshakeDone = false;
  private corked = false;
  /** The destination slice the socket's current read goes into, if any (see nextReadBuffer). */
  private directTarget?: Uint8Array;
  private lastByte = Date.now();
  private idleTimer?: NodeJS.Timeout;
  private failure?: Error;
  private readonly onData = (chunk: Buffer) => this.receive(chunk);
  private readonly onClose = () => this.fail(new HepflowError("IO_XROOTD_CONN", "connection closed by the server", { file: this.opt.url }));
  private readonly onError = (e: Error) => this.fail(new HepflowError("IO_XROOTD_CONN", `connection failed: ${e.message}`, { file: this.opt.url }, { cause: e }));

  private constructor(
    private readonly opt: ConnectionOptions,
    socket: net.Socket,
    private readonly reads: SocketReads,
  ) {
    this.socket = socket;
    this.attach(socket);
    reads.deliver = (n, b) => this.onRead(n, b);
    reads.next = () => this.nextReadBuffer();
  }

  /** Opens, handshakes, logs in and authenticates; rejects with a HepflowError on any failure. */
  static async connect(opt: ConnectionOptions): Promise<XrdConnection> {
    const buffer = Buffer.allocUnsafeSlow(READ_BUFFER);
    const reads: SocketReads = { buffer, deliver: () => {}, next: () => buffer, reused: true };
    const socket = await openSocket(opt, reads);
    const conn = new XrdConnection(opt, socket, reads);
    try {
      await conn.setUp();
    } catch (e) {
      conn.close();
      throw e;
    }
    return conn;
  }

  get key(): string {
    return `${this.opt.host}:${this.opt.port}`;
  }

  private async setUp(): Promise<void> {
    const flags = ProtoFlag.ableTLS | (this.opt.tls ? ProtoFlag.wantTLS : 0);
    // The handshake and kXR_protocol go in one write, as the reference client does.
    this.socket.write(handshake());
    const proto = await this.send(
      Req.protocol,
      (b) => {
        b.writeInt32BE(PROTOCOL_VERSION, 0);
        b[4] = flags;
        b[5] = 0x03;
      },
      undefined,
      "kXR_protocol",
    );
    const body = okBody(proto, this.opt.url, "kXR_protocol");
    if (body.length >= 8) this.serverFlags = body.readUInt32BE(4);
    const wantTls = this.opt.tls || (this.serverFlags & ServerFlag.gotoTLS) !== 0;
    if (this.opt.tls && !(this.serverFlags & ServerFlag.haveTLS)) {
      throw new HepflowError("IO_XROOTD_TLS", "roots:// asks for TLS but the server does not offer it (use root:// if the data need no encryption)", { file: this.opt.url });
    }
    if (wantTls) await this.startTls();
    const user = (this.opt.user ?? process.env.USER ?? "hepflow").slice(0, 8);
    const login = await this.send(
      Req.login,
      (b) => {
        b.writeInt32BE(process.pid, 0);
        b.write(user, 4, 8, "latin1");
        b[12] = 0;
        b[13] = 0;
        b[14] = 0x80 | 5; // kXR_asyncap | kXR_ver005: we understand kXR_attn and TLS
      },
      undefined,
      "kXR_login",
    );
    const lb = okBody(login, this.opt.url, "kXR_login");
    if (lb.length >= 16) lb.copy(this.sessionId, 0, 0, 16);
    const sec = lb.length > 16 ? lb.subarray(16).toString("latin1").replace(/\0+$/, "") : "";
    if (sec.includes("&P=")) await authenticate(this, sec, { ...this.opt, tlsActive: wantTls });
  }

  private async startTls(): Promise<void> {
    const raw = this.socket;
    raw.off("data", this.onData);
    raw.off("close", this.onClose);
    raw.off("error", this.onError);
    const secure = await new Promise<tls.TLSSocket>((resolve, reject) => {
      const s = tls.connect({ socket: raw, servername: net.isIP(this.opt.host) ? undefined : this.opt.host, ca: gridCAs(), ...this.opt.tlsOptions }, () => resolve(s));
      s.once("error", (e) => reject(new HepflowError("IO_XROOTD_TLS", `TLS handshake failed: ${e.message}`, { file: this.opt.url }, { cause: e })));
    });
    this.socket = secure;
    this.encrypted = true;
    // TLS hands us fresh buffers through 'data' events; nothing may arrive through the raw reads any more.
    this.reads.deliver = () => this.protocolError("plain bytes after the switch to TLS");
    this.reads.next = () => this.reads.buffer;
    this.reads.reused = false;
    this.attach(secure);
  }

  private attach(s: net.Socket): void {
    s.on("data", this.onData);
    s.on("close", this.onClose);
    s.on("error", this.onError);
    s.setNoDelay(true);
  }

  /**
   * Sends one request and resolves with its answer. `fill` writes the 16 request-specific
   * header bytes. Server errors reject with a HepflowError naming the URL.
   */
  send(requestId: number, fill: ((b: Buffer) => void) | undefined, data: Uint8Array | undefined, what: string, into?: Uint8Array): Promise<Reply> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.allocateId();
    const frame = request(id, requestId, fill, data);
    return new Promise<Reply>((resolve, reject) => {
      this.pending.set(id, { frame, what, parts: [], into, intoPos: 0, waited: 0, parked: false, resolve, reject });
      this.armIdleTimer();
      this.post(frame);
    });
  }

  /**
   * Writes a request. Requests made in the same tick (a reader's window of ranges) leave in one
   * write: on loopback each write system call also runs the kernel's delivery to the server.
   */
  private post(frame: Buffer): void {
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    this.socket.write(frame);
  }

  /** Requests waiting for an answer. */
  get inFlight(): number {
    return this.pending.size;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.fail(new HepflowError("IO_XROOTD_CONN", "connection closed", { file: this.opt.url }));
  }

  private allocateId(): number {
    for (let i = 0; i < 65535; i++) {
      const id = this.nextId;
      this.nextId = this.nextId >= 65535 ? 1 : this.nextId + 1;
      if (!this.pending.has(id)) return id;
    }
    throw new HepflowError("IO_XROOTD", "more than 65535 requests in flight on one connection", { file: this.opt.url });
  }

  private armIdleTimer(): void {
    this.socket.ref();
    if (this.idleTimer) return;
    const idle = this.opt.idleTimeoutMs ?? DEFAULT_IDLE_MS;
    this.lastByte = Date.now();
    this.idleTimer = setInterval(
      () => {
        const active = [...this.pending.values()].some((p) => !p.parked && !p.timer);
        if (!active) {
          this.lastByte = Date.now();
          if (this.pending.size === 0) this.stopIdleTimer();
          return;
        }
        if (Date.now() - this.lastByte > idle) {
          this.fail(new HepflowError("IO_XROOTD_TIMEOUT", `no answer from ${this.key} for ${Math.round(idle / 1000)} s`, { file: this.opt.url }));
        }
      },
      Math.min(1000, Math.max(50, idle / 4)),
    );
  }

  private stopIdleTimer(): void {
    if (this.idleTimer) clearInterval(this.idleTimer);
    this.idleTimer = undefined;
    // An idle pooled connection must not keep the process alive.
    this.socket.unref();
  }

  private fail(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    this.closed = true;
    this.stopIdleTimer();
    for (const p of this.pending.values()) {
      if (p.timer) clearTimeout(p.timer);
      p.reject(e);
    }
    this.pending.clear();
    this.socket.destroy();
  }

  private protocolError(why: string): void {
    this.fail(new HepflowError("IO_XROOTD_PROTOCOL", `the server sent something that is not an XRootD answer (${why}); connection dropped`, { file: this.opt.url }));
  }

  /**
   * Splits the byte stream into frames: 8-byte header, then dlen body bytes. Data for a request
   * that gave a destination (`into`) are copied straight there; other bodies are used in place
   * when a socket chunk holds them whole, else gathered once.
   */
  private receive(chunk: Buffer): void {
    this.lastByte = Date.now();
    let pos = 0;
    while (pos < chunk.length && !this.failure) {
      if (this.body === undefined && this.direct === undefined) {
        const take = Math.min(8 - this.headerHave, chunk.length - pos);
        chunk.copy(this.header, this.headerHave, pos, pos + take);
        this.headerHave += take;
        pos += take;
        if (this.headerHave < 8) return;
        const dlen = this.header.readInt32BE(4);
        if (dlen < 0 || dlen > MAX_FRAME) return this.protocolError(`frame length ${dlen}`);
        this.bodyHave = 0;
        const status = this.header.readUInt16BE(2);
        const p = this.handshakeDone ? this.pending.get(this.header.readUInt16BE(0)) : undefined;
        if (p?.into && (status === Status.ok || status === Status.oksofar)) {
          if (p.intoPos + dlen > p.into.length) return this.protocolError(`answer longer than the ${p.into.length} bytes asked`);
          this.direct = p;
        } else if (chunk.length - pos >= dlen) {
          // A reused read buffer is overwritten by the next read: keep a copy (these answers are small).
          const body = this.reads.reused ? Buffer.from(chunk.subarray(pos, pos + dlen)) : chunk.subarray(pos, pos + dlen);
          pos += dlen;
          this.headerHave = 0;
          this.dispatch(this.header.readUInt16BE(0), status, body);
          continue;
        } else {
          this.body = Buffer.allocUnsafe(dlen);
        }
      }
      const dlen = this.header.readInt32BE(4);
      const take = Math.min(dlen - this.bodyHave, chunk.length - pos);
      if (this.direct) {
        const p = this.direct;
        p.into!.set(chunk.subarray(pos, pos + take), p.intoPos + this.bodyHave);
      } else {
        chunk.copy(this.body!, this.bodyHave, pos, pos + take);
      }
      this.bodyHave += take;
      pos += take;
      if (this.bodyHave === dlen) {
        if (this.direct) {
          this.endDirect();
          continue;
        }
        this.headerHave = 0;
        const streamId = this.header.readUInt16BE(0),
          status = this.header.readUInt16BE(2);
        const body = this.body!;
        this.body = undefined;
        this.dispatch(streamId, status, body);
      }
    }
  }

  /** The body of an answer going straight into its request's destination is complete. */
  private endDirect(): void {
    const p = this.direct!;
    this.direct = undefined;
    this.headerHave = 0;
    p.intoPos += this.header.readInt32BE(4);
    if (this.header.readUInt16BE(2) === Status.ok) {
      this.pending.delete(this.header.readUInt16BE(0));
      p.resolve({ kind: "ok", body: Buffer.from(p.into!.buffer, p.into!.byteOffset, p.intoPos) });
    }
  }

  /**
   * Where the socket's next read goes: while a large answer body is on its way to a request's
   * destination, the rest of that body itself, so the kernel copies those bytes straight into
   * the reader's array (the read cannot run past the body, which is all the buffer holds);
   * otherwise the shared read buffer.
   */
  private nextReadBuffer(): Uint8Array {
    const p = this.direct;
    if (p && !this.failure) {
      const dlen = this.header.readInt32BE(4);
      if (dlen - this.bodyHave >= DIRECT_READ_MIN) {
        const at = p.intoPos + this.bodyHave;
        return (this.directTarget = p.into!.subarray(at, at - this.bodyHave + dlen));
      }
    }
    this.directTarget = undefined;
    return this.reads.buffer;
  }

  /** A socket read of `n` bytes into `into` (the shared buffer, or a body's destination). */
  private onRead(n: number, into: Uint8Array): void {
    if (into !== this.directTarget) return this.receive(Buffer.from(into.buffer, into.byteOffset, n));
    // The bytes are already where they belong.
    this.lastByte = Date.now();
    this.directTarget = undefined;
    this.bodyHave += n;
    if (this.bodyHave === this.header.readInt32BE(4)) this.endDirect();
  }

  private dispatch(streamId: number, status: number, body: Buffer): void {
    if (!this.handshakeDone) {
      // The handshake answer: stream id 0, status 0, 8 bytes (protocol version, server type).
      if (streamId !== 0 || status !== 0 || body.length !== 8) return this.protocolError("bad handshake answer");
      this.handshakeDone = true;
      return;
    }
    if (status === Status.attn) return this.attention(body);
    const p = this.pending.get(streamId);
    if (!p) return this.protocolError(`answer for stream ${streamId}, which has no request`);
    switch (status) {
      case Status.oksofar:
        // Safe to keep: receive() copied it out of a reused read buffer (TLS gives fresh ones).
        p.parts.push(body);
        return;
      case Status.ok: {
        this.pending.delete(streamId);
        const all = p.parts.length === 0 ? body : Buffer.concat([...p.parts, body]);
        return p.resolve({ kind: "ok", body: all });
      }
      case Status.error: {
        this.pending.delete(streamId);
        const errnum = body.length >= 4 ? body.readInt32BE(0) : 0;
        return p.reject(serverError(this.opt.url, p.what, errnum, body.subarray(4).toString("utf8")));
      }
      case Status.redirect: {
        this.pending.delete(streamId);
        if (body.length < 4) return this.protocolError("short redirect");
        const port = body.readInt32BE(0);
        const target = body.subarray(4).toString("latin1").replace(/\0+$/, "");
        const q = target.indexOf("?");
        return p.resolve({ kind: "redirect", host: q < 0 ? target : target.slice(0, q), port, cgi: q < 0 ? "" : target.slice(q + 1) });
      }
      case Status.wait: {
        const seconds = body.length >= 4 ? Math.max(0, body.readInt32BE(0)) : 1;
        p.waited += seconds;
        const limit = this.opt.maxWaitSeconds ?? 300;
        if (p.waited > limit) {
          this.pending.delete(streamId);
          // Not transient: a busy server is not helped by reconnecting at once.
          return p.reject(new HepflowError("IO_XROOTD_BUSY", `${p.what}: the server asked to wait ${p.waited} s in total, more than the ${limit} s allowed`, { file: this.opt.url }));
        }
        p.timer = setTimeout(() => {
          p.timer = undefined;
          if (this.failure) return;
          p.parts = [];
          p.intoPos = 0;
          this.lastByte = Date.now();
          this.socket.write(p.frame);
        }, seconds * 1000);
        return;
      }
      case Status.waitresp: {
        const seconds = body.length >= 4 ? Math.max(1, body.readInt32BE(0)) : 60;
        p.parked = true;
        // The answer comes later as kXR_attn; give it the promised time plus the idle margin.
        p.timer = setTimeout(
          () => {
            if (this.pending.get(streamId) !== p) return;
            this.pending.delete(streamId);
            p.reject(new HepflowError("IO_XROOTD_TIMEOUT", `${p.what}: no deferred answer within ${seconds} s`, { file: this.opt.url }));
          },
          seconds * 1000 + (this.opt.idleTimeoutMs ?? DEFAULT_IDLE_MS),
        );
        return;
      }
      case Status.authmore:
        this.pending.delete(streamId);
        return p.resolve({ kind: "authmore", body: Buffer.from(body) });
      default:
        return this.protocolError(`status ${status}`);
    }
  }

  /** kXR_attn: only the deferred answer (asynresp) carries something for us; it wraps a full frame. */
  private attention(body: Buffer): void {
    if (body.length < 4) return this.protocolError("short kXR_attn");
    const action = body.readInt32BE(0);
    if (action !== ATTN_ASYNRESP) return; // server messages (asyncms) need no action
    if (body.length < 16) return this.protocolError("short kXR_attn asynresp");
    const streamId = body.readUInt16BE(8);
    const status = body.readUInt16BE(10);
    const dlen = body.readInt32BE(12);
    if (dlen < 0 || 16 + dlen > body.length) return this.protocolError("kXR_attn asynresp length");
    const p = this.pending.get(streamId);
    if (p?.timer) {
      clearTimeout(p.timer);
      p.timer = undefined;
    }
    if (p) p.parked = false;
    this.dispatch(streamId, status, body.subarray(16, 16 + dlen));
  }
}

let cas: string[] | undefined | null = null;

/**
 * Certificate authorities for TLS: the grid's X509_CERT_DIR (a directory of PEM files, as on
 * every WLCG node) on top of Node's own list; undefined (Node's defaults) when it is not set.
 */
function gridCAs(): string[] | undefined {
  if (cas !== null) return cas;
  const dir = process.env.X509_CERT_DIR;
  cas = undefined;
  if (!dir) return cas;
  const extra: string[] = [];
  try {
    for (const n of readdirSync(dir)) {
      if (!/\.(pem|0|crt)$/.test(n)) continue;
      try {
        extra.push(readFileSync(path.join(dir, n), "utf8"));
      } catch {
        /* unreadable entry */
      }
    }
  } catch {
    /* no such directory: Node's list */
  }
  if (extra.length) cas = [...tls.rootCertificates, ...extra];
  return cas;
}

/** The body of an ok answer; a redirect or authmore where none may come is a protocol error. */
export function okBody(r: Reply, url: string, what: string): Buffer {
  if (r.kind === "ok") return r.body;
  throw new HepflowError("IO_XROOTD_PROTOCOL", `${what}: unexpected ${r.kind} answer`, { file: url });
}

/** Where socket reads go: the shared buffer, `next()` choosing each read's buffer, and whether that buffer is reused. */
interface SocketReads {
  buffer: Buffer;
  deliver(n: number, into: Uint8Array): void;
  next(): Uint8Array;
  reused: boolean;
}

/** Bytes per socket read into the shared buffer: large, so a fast transfer costs few callbacks. */
const READ_BUFFER = 1024 * 1024;
/** Smallest rest of an answer body worth a read of its own straight into the destination. */
const DIRECT_READ_MIN = 64 * 1024;

/**
 * Opens the TCP connection. Reads go into buffers the connection chooses (node:net `onread`):
 * one reused 1 MiB buffer instead of a fresh 64 KiB one per read (sixteen times fewer callbacks,
 * no garbage; the connection copies out what it keeps), or the destination of a read's data.
 */
function openSocket(opt: ConnectionOptions, reads: SocketReads): Promise<net.Socket> {
  const ms = opt.connectTimeoutMs ?? DEFAULT_CONNECT_MS;
  return new Promise((resolve, reject) => {
    const s = net.connect({
      host: opt.host,
      port: opt.port,
      onread: {
        buffer: () => reads.next(),
        callback: (n: number, b: Uint8Array) => {
          reads.deliver(n, b);
          return true;
        },
      },
    });
    const timer = setTimeout(() => {
      s.destroy();
      reject(new HepflowError("IO_XROOTD_TIMEOUT", `could not connect to ${opt.host}:${opt.port} within ${Math.round(ms / 1000)} s`, { file: opt.url }));
    }, ms);
    s.once("connect", () => {
      clearTimeout(timer);
      s.removeAllListeners("error");
      resolve(s);
    });
    s.once("error", (e) => {
      clearTimeout(timer);
      reject(new HepflowError("IO_XROOTD_CONN", `could not connect to ${opt.host}:${opt.port}: ${e.message}`, { file: opt.url }, { cause: e }));
    });
  });
}
