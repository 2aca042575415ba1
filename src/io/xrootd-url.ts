/** root:// URLs: parsing and formatting, free of sockets so a browser bundle can name them too. */
import { HepflowError } from "../util/index.js";

export interface XrdUrl {
  scheme: "root" | "roots";
  user?: string;
  host: string;
  port: number;
  /** Absolute path on the server, without the query. */
  path: string;
  /** Opaque query (CGI) passed with the path, without the "?". */
  cgi: string;
}

export const DEFAULT_PORT = 1094;

/** True for root:// and roots:// (also xroot:// and xroots://) URLs. */
export function isXrootdUrl(s: string): boolean {
  return /^x?roots?:\/\//i.test(s);
}

/** Parses root://[user@]host[:port]//path[?cgi]; the double slash before the path is optional. */
export function parseXrdUrl(url: string): XrdUrl {
  const m = /^(x?roots?):\/\/(?:([^@/]*)@)?(\[[^\]]+\]|[^:/?#]+)(?::(\d+))?(\/[^?#]*)?(?:\?([^#]*))?$/i.exec(url);
  if (!m) throw new HepflowError("IO_BAD_URL", "not an XRootD URL; expected root://host[:port]//path/to/file", { file: url });
  const scheme = m[1]!.toLowerCase().endsWith("s") ? "roots" : "root";
  const host = m[3]!.replace(/^\[|\]$/g, "");
  const port = m[4] ? Number(m[4]) : DEFAULT_PORT;
  let p = m[5] ?? "/";
  p = "/" + p.replace(/^\/+/, "");
  return { scheme, user: m[2] || undefined, host, port, path: p, cgi: m[6] ?? "" };
}

/** The URL of `u` with another path (a file in a listed directory, say). */
export function formatXrdUrl(u: XrdUrl, path = u.path): string {
  const host = u.host.includes(":") ? `[${u.host}]` : u.host;
  return `${u.scheme}://${u.user ? `${u.user}@` : ""}${host}${u.port === DEFAULT_PORT ? "" : `:${u.port}`}/${path}${u.cgi ? `?${u.cgi}` : ""}`;
}
