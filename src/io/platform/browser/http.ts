/**
 * The browser's Range GET for HttpSource: fetch() with an AbortController per phase. A page
 * cannot tell connecting from waiting, so the first timer covers both; the body is read chunk by
 * chunk so a stalled stream still times out. A cross-origin file needs CORS on the server
 * (Range allowed, Content-Range exposed).
 */
import type * as Node from "../node/http.js";

export type { RangeAnswer, RangeTimeouts, RangeTransport } from "../node/http.js";

class TransientError extends Error {}

export const rangeTransport: typeof Node.rangeTransport = (url, _maxInFlight, t) => {
  const controllers = new Set<AbortController>();
  return {
    get: async (range, headers) => {
      const ctl = new AbortController();
      controllers.add(ctl);
      let timer: ReturnType<typeof setTimeout> | undefined;
      let why = "";
      const arm = (ms: number, what: string) => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          why = `${what} timed out after ${ms} ms`;
          ctl.abort();
        }, ms);
      };
      try {
        arm(t.connectTimeoutMs + t.firstByteTimeoutMs, "connecting and waiting for the first byte");
        const res = await fetch(url, { headers: { ...headers, Range: range }, signal: ctl.signal });
        const header = (name: string) => res.headers.get(name);
        if (res.status !== 206) {
          await res.body?.cancel();
          return { status: res.status, header, body: new Uint8Array(0) };
        }
        arm(t.idleTimeoutMs, "the body stalled: no data");
        const reader = res.body!.getReader();
        const chunks: Uint8Array[] = [];
        let n = 0;
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          chunks.push(value);
          n += value.length;
          arm(t.idleTimeoutMs, "the body stalled: no data");
        }
        let body = chunks[0] ?? new Uint8Array(0);
        if (chunks.length > 1) {
          body = new Uint8Array(n);
          let at = 0;
          for (const c of chunks) {
            body.set(c, at);
            at += c.length;
          }
        }
        return { status: res.status, header, body };
      } catch (e) {
        throw why ? new TransientError(why) : e;
      } finally {
        clearTimeout(timer);
        controllers.delete(ctl);
      }
    },
    close: () => {
      for (const c of controllers) c.abort();
    },
  };
};
