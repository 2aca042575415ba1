// A small scriptable XRootD server (node:net, 127.0.0.1 only) for what a real server rarely does
// on demand: split kXR_oksofar answers, kXR_wait, kXR_waitresp + kXR_attn, redirect loops,
// answers out of order, garbage. By default it serves one in-memory file correctly; a test
// overrides the answer to any request through `on`.
import net from "node:net";
import tls from "node:tls";

export interface FakeRequest {
  streamId: Buffer;
  code: number;
  body: Buffer;
  data: Buffer;
}

export interface FakeConn {
  socket: net.Socket;
  /** Sends one frame: 8-byte header (this stream id, status) and the body. */
  reply(req: FakeRequest, status: number, body?: Buffer): void;
  raw(bytes: Buffer): void;
}

/** Returns true when it answered; false lets the default behaviour answer. */
export type Handler = (req: FakeRequest, conn: FakeConn) => boolean | undefined;

export interface Fake {
  port: number;
  requests: FakeRequest[];
  on: Map<number, Handler>;
  /** Answers to kXR_protocol with random bytes instead (garbage from the first frame). */
  garbageHandshake?: boolean;
  /** Key and certificate: the server then asks for TLS (kXR_gotoTLS) after kXR_protocol. */
  tls?: { key: string; cert: string };
  /** Security offer returned with kXR_login, e.g. "&P=gsi,v:10600". */
  security?: string;
  /** kXR_auth requests received: [credential type, credentials]. */
  auths: Array<[string, Buffer]>;
  close(): Promise<void>;
}

export function frame(streamId: Buffer, status: number, body: Buffer = Buffer.alloc(0)): Buffer {
  const h = Buffer.alloc(8);
  streamId.copy(h, 0);
  h.writeUInt16BE(status, 2);
  h.writeInt32BE(body.length, 4);
  return Buffer.concat([h, body]);
}

export async function startFake(file: Buffer): Promise<Fake> {
  const requests: FakeRequest[] = [];
  const on = new Map<number, Handler>();
  const sockets = new Set<net.Socket>();
  const fake: Fake = { port: 0, requests, on, auths: [], close: async () => {} };
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    let buf = Buffer.alloc(0);
    let greeted = false;
    let out: net.Socket = socket;
    const conn: FakeConn = {
      socket,
      reply: (req, status, body) => {
        if (!out.destroyed) out.write(frame(req.streamId, status, body));
      },
      raw: (bytes) => {
        if (!out.destroyed) out.write(bytes);
      },
    };
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (!greeted) {
        if (buf.length < 20) return;
        buf = buf.subarray(20);
        greeted = true;
        if (fake.garbageHandshake) {
          socket.write(Buffer.from("HTTP/1.1 400 Bad Request\r\n\r\nnot xrootd at all"));
          return;
        }
        const hs = Buffer.alloc(8);
        hs.writeInt32BE(0x511, 0);
        hs.writeInt32BE(1, 4);
        socket.write(frame(Buffer.alloc(2), 0, hs));
      }
      while (buf.length >= 24) {
        const dlen = buf.readInt32BE(20);
        if (buf.length < 24 + dlen) return;
        const req = { streamId: Buffer.from(buf.subarray(0, 2)), code: buf.readUInt16BE(2), body: Buffer.from(buf.subarray(4, 20)), data: Buffer.from(buf.subarray(24, 24 + dlen)) };
        buf = buf.subarray(24 + dlen);
        requests.push(req);
        const h = on.get(req.code);
        if (h?.(req, conn)) continue;
        if (req.code === 3006 && fake.tls) {
          const b = Buffer.alloc(8);
          b.writeInt32BE(0x511, 0);
          b.writeUInt32BE((0x80000000 | 0x40000000 | 1) >>> 0, 4); // haveTLS | gotoTLS | isServer
          conn.reply(req, 0, b);
          // From here on the bytes are TLS: parse what the TLS socket decrypts.
          socket.off("data", onData);
          const secure = new tls.TLSSocket(socket, { isServer: true, key: fake.tls.key, cert: fake.tls.cert });
          secure.on("error", () => {});
          secure.on("data", onData);
          out = secure;
          return;
        }
        if (req.code === 3007 && fake.security) {
          conn.reply(req, 0, Buffer.concat([Buffer.alloc(16, 7), Buffer.from(fake.security + "\0")]));
          continue;
        }
        if (req.code === 3000) {
          fake.auths.push([req.body.subarray(12, 16).toString("latin1").replace(/\0+$/, ""), req.data]);
          conn.reply(req, 0);
          continue;
        }
        defaultAnswer(req, conn, file);
      }
    };
    socket.on("data", onData);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  fake.port = (server.address() as net.AddressInfo).port;
  fake.close = () =>
    new Promise((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    });
  return fake;
}

const HANDLE = Buffer.from([1, 2, 3, 4]);

export function defaultAnswer(req: FakeRequest, conn: FakeConn, file: Buffer): void {
  switch (req.code) {
    case 3006: {
      // protocol
      const b = Buffer.alloc(8);
      b.writeInt32BE(0x511, 0);
      b.writeUInt32BE(1, 4); // kXR_isServer
      return conn.reply(req, 0, b);
    }
    case 3007:
      return conn.reply(req, 0, Buffer.alloc(16, 7)); // login: session id, no security
    case 3010: {
      // open with kXR_retstat
      const stat = Buffer.from(`0 ${file.length} 16 0\0`);
      return conn.reply(req, 0, Buffer.concat([HANDLE, Buffer.alloc(8), stat]));
    }
    case 3017:
      return conn.reply(req, 0, Buffer.from(`0 ${file.length} 16 0\0`));
    case 3013: {
      // read
      const offset = Number(req.body.readBigInt64BE(4));
      const len = req.body.readInt32BE(12);
      return conn.reply(req, 0, file.subarray(offset, offset + len));
    }
    case 3025: {
      // readv
      const parts: Buffer[] = [];
      for (let i = 0; i < req.data.length; i += 16) {
        const len = req.data.readInt32BE(i + 4);
        const off = Number(req.data.readBigInt64BE(i + 8));
        parts.push(req.data.subarray(i, i + 16), file.subarray(off, off + len));
      }
      return conn.reply(req, 0, Buffer.concat(parts));
    }
    case 3001:
      return conn.reply(req, 0, Buffer.from("2097136\n1024\n")); // query config
    case 3003:
      return conn.reply(req, 0); // close
    default: {
      const b = Buffer.alloc(4);
      b.writeInt32BE(3013, 0);
      return conn.reply(req, 4003, Buffer.concat([b, Buffer.from("unsupported\0")]));
    }
  }
}
