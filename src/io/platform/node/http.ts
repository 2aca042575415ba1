/**
 * One HTTP GET with a Range header, for HttpSource, over node:http / node:https with a keep-alive
 * agent and separate connect / first-byte / idle timers. The browser build (../browser/http.ts)
 * does the same with fetch(); the package's `#io/http` import picks one by export condition.
 */
import * as http from "node:http";
import * as https from "node:https";

export interface RangeAnswer {
  status: number;
  header(name: string): string | null;
  /** The body of a 206 answer; empty for any other status (never downloaded). */
  body: Uint8Array;
}

export interface RangeTimeouts {
  connectTimeoutMs: number;
  firstByteTimeoutMs: number;
  idleTimeoutMs: number;
}

export interface RangeTransport {
  get(range: string, headers: Record<string, string>): Promise<RangeAnswer>;
  close(): void;
}

/** A transient failure (timeout, dropped connection): HttpSource retries anything that is not a HepflowError. */
class TransientError extends Error {}

export function rangeTransport(url: string, maxInFlight: number, t: RangeTimeouts): RangeTransport {
  const u = new URL(url);
  const proto = u.protocol === "https:" ? https : http;
  const agent = new proto.Agent({ keepAlive: true, maxSockets: maxInFlight });
  return {
    get: (range, headers) => once(u, agent, proto.get, range, headers, t),
    close: () => agent.destroy(),
  };
}

/**
 * One attempt. The body is read only for a 206 answer: a 200 to a Range request is the whole
 * file, and reading it to learn that would download gigabytes for nothing; error bodies are
 * not needed either. Each phase has its own timer.
 */
function once(u: URL, agent: http.Agent, get: typeof http.get, range: string, headers: Record<string, string>, t: RangeTimeouts): Promise<RangeAnswer> {
  const { connectTimeoutMs, firstByteTimeoutMs, idleTimeoutMs } = t;
  return new Promise<RangeAnswer>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const arm = (ms: number, what: string) => {
      clearTimeout(timer);
      timer = setTimeout(() => req.destroy(new TransientError(`${what} timed out after ${ms} ms`)), ms);
    };
    const req = get(u, { agent, headers: { ...headers, Range: range } });
    const fail = (e: unknown) => {
      clearTimeout(timer);
      reject(e instanceof Error ? e : new Error(String(e)));
    };
    req.on("error", fail);
    req.on("socket", (socket) => {
      if (socket.connecting) {
        arm(connectTimeoutMs, "connecting");
        socket.once("connect", () => arm(firstByteTimeoutMs, "waiting for the first byte"));
      } else arm(firstByteTimeoutMs, "waiting for the first byte");
    });
    req.on("response", (res) => {
      const status = res.statusCode ?? 0;
      const header = (name: string): string | null => {
        const v = res.headers[name];
        return v === undefined ? null : Array.isArray(v) ? (v[0] ?? null) : v;
      };
      if (status !== 206) {
        clearTimeout(timer);
        res.destroy();
        resolve({ status, header, body: new Uint8Array(0) });
        return;
      }
      arm(idleTimeoutMs, "the body stalled: no data");
      const chunks: Buffer[] = [];
      let n = 0;
      res.on("data", (c: Buffer) => {
        chunks.push(c);
        n += c.length;
        arm(idleTimeoutMs, "the body stalled: no data");
      });
      res.on("error", fail);
      res.on("aborted", () => fail(new TransientError("connection closed mid-body")));
      res.on("end", () => {
        clearTimeout(timer);
        if (!res.complete) {
          fail(new TransientError("connection closed mid-body"));
          return;
        }
        const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, n);
        resolve({ status, header, body: new Uint8Array(body.buffer, body.byteOffset, body.length) });
      });
    });
  });
}
