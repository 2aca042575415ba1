/**
 * The app's guards: paths confined to the root directory, the access token of a non-loopback bind,
 * the Host check that keeps a loopback server from DNS rebinding, and the response headers
 * (a strict Content-Security-Policy: scripts and styles from the app's own files only, no eval).
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { realpathSync, statSync } from "node:fs";
import * as path from "node:path";
import { HepflowError } from "../util/index.js";

/** Addresses that only this machine can reach. */
export const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

/**
 * The Content-Security-Policy of every page and API answer. Vega is run with its expression
 * interpreter (no `new Function`), its embed styles come from app.css, and exports are data:/blob:
 * URLs — so nothing needs 'unsafe-eval' or 'unsafe-inline'.
 */
export const CSP = ["default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data: blob:", "connect-src 'self'", "font-src 'self'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'"].join("; ");

/** A workflow DAG is an SVG image with its own <style>; as an <img> it cannot run anything, so it may style itself. */
export const IMAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'";

export function newToken(): string {
  return randomBytes(24).toString("base64url");
}

/** Constant-time comparison (a token must not leak through response timing). */
export function sameToken(given: string | undefined, token: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given),
    b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token a request carries: Authorization Bearer, X-Hepflow-Token, ?token= or the session cookie. */
export function tokenOf(headers: Record<string, string | string[] | undefined>, query: string | undefined): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === "string") {
    const m = /^Bearer\s+(\S+)$/.exec(auth);
    if (m) return m[1];
  }
  const x = headers["x-hepflow-token"];
  if (typeof x === "string") return x;
  if (query) {
    const t = new URLSearchParams(query).get("token");
    if (t) return t;
  }
  const cookie = headers.cookie;
  if (typeof cookie === "string") for (const part of cookie.split(/;\s*/)) if (part.startsWith("hepflow_ui=")) return decodeURIComponent(part.slice(11));
  return undefined;
}

/** True when the Host header names this machine (a page of another site resolved to 127.0.0.1 sends its own name). */
export function loopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const name = host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.replace(/:[\s\S]*$/, "");
  return LOOPBACK.has(name.toLowerCase());
}

/**
 * The absolute path of `rel` inside `root` (itself a real path). Refused: `..` segments, absolute
 * paths, NUL bytes, and anything whose real path (symlinks resolved) is outside the root.
 */
export function resolveInRoot(root: string, rel: string | undefined): string {
  const r = (rel ?? "").replace(/\\/g, "/");
  if (r.includes("\0") || r.split("/").some((seg) => seg === "..") || path.isAbsolute(r) || /^[a-z]:/i.test(r)) {
    throw new HepflowError("UI_PATH_REFUSED", `"${rel}" is not a path inside the app's root (no "..", no absolute paths)`, { file: rel });
  }
  const abs = path.resolve(root, r);
  let real: string;
  try {
    real = realpathSync(abs);
  } catch {
    throw new HepflowError("UI_NOT_FOUND", `no such file or folder under the root: ${r || "."}`, { file: r });
  }
  if (real !== root && !real.startsWith(root + path.sep)) {
    throw new HepflowError("UI_PATH_REFUSED", `"${r}" leads outside the app's root (a symbolic link?)`, { file: r });
  }
  return real;
}

/** Like resolveInRoot, and the path must be a directory (or a file, with `kind`). */
export function resolveKind(root: string, rel: string | undefined, kind: "dir" | "file"): string {
  const p = resolveInRoot(root, rel);
  const isDir = statSync(p).isDirectory();
  if (isDir !== (kind === "dir")) throw new HepflowError("UI_BAD_REQUEST", `${rel || "."} is ${isDir ? "a folder" : "a file"}, not a ${kind === "dir" ? "folder" : "file"}`, { file: rel });
  return p;
}

/**
 * The hosts a remote URL may name, from `--allow-remote HOST[,HOST]` ("host" or "host:port",
 * case-insensitive; IPv6 in brackets). Nothing else is fetched: the server would otherwise read
 * any address it can reach (server-side request forgery) for whoever can send it a request.
 */
export function remoteAllowList(hosts: readonly string[] | undefined): Set<string> {
  const out = new Set<string>();
  for (const raw of hosts ?? []) {
    const h = raw.trim().toLowerCase();
    if (!h) continue;
    if (!/^(\[[0-9a-f:.]+\]|[a-z0-9]([a-z0-9.-]*[a-z0-9])?)(:\d{1,5})?$/.test(h)) throw new HepflowError("UI_BAD_REQUEST", `--allow-remote takes host names or host:port, not "${raw}" (no wildcards, no schemes)`);
    out.add(h);
  }
  return out;
}

/**
 * A remote file URL the page asked for, checked: http(s):// or root(s):// only, no user or
 * password in it, and its host (or host:port) on the allow-list.
 */
export function checkRemoteUrl(u: string, allow: ReadonlySet<string>): string {
  let url: URL;
  try {
    url = new URL(u);
  } catch {
    throw new HepflowError("UI_BAD_REQUEST", `not a URL: "${u.slice(0, 200)}"`);
  }
  if (!/^(https?|roots?):$/.test(url.protocol)) throw new HepflowError("UI_REMOTE_REFUSED", `only https://, http://, root:// and roots:// URLs can be opened (local files: browse the root)`, { file: u });
  if (url.username || url.password) throw new HepflowError("UI_REMOTE_REFUSED", "URLs with credentials are refused (they would be stored in the browser history)", { file: u });
  const host = url.hostname.toLowerCase();
  // the protocol is one of the four tested above
  const defaultPort = url.protocol === "http:" ? "80" : url.protocol === "https:" ? "443" : "1094";
  const withPort = `${host}:${url.port || defaultPort}`;
  if (!allow.has(host) && !allow.has(withPort)) {
    throw new HepflowError(
      "UI_REMOTE_REFUSED",
      allow.size ? `${withPort} is not among the hosts this server may read (--allow-remote ${[...allow].join(",")})` : `this server reads no remote files; start it with --allow-remote ${host} to allow that host`,
      { file: u },
    );
  }
  return u;
}

/** The root as the app confines it: a real, existing directory. */
export function realRoot(dir: string): string {
  let real: string;
  try {
    real = realpathSync(path.resolve(dir));
  } catch {
    throw new HepflowError("UI_NOT_FOUND", "the directory to serve does not exist", { file: dir });
  }
  if (!statSync(real).isDirectory()) throw new HepflowError("UI_BAD_REQUEST", "hepflow ui serves a directory, not a file", { file: dir });
  return real;
}
