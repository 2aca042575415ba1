/**
 * XRootD authentication after kXR_login: the server lists the protocols it accepts
 * ("&P=unix&P=ztn,TLS:0:4096:..."); we answer with the first one we can do. Supported: unix
 * (user and group names, trusted by the server) and ztn (a WLCG bearer token, only over TLS).
 * GSI (X.509 proxies) is not implemented; the error says how to get around it.
 */
import { readFileSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { HepflowError } from "../util/index.js";
import { Req } from "./xrootd-protocol.js";
import type { Reply, XrdConnection } from "./xrootd-connection.js";

export interface AuthOptions {
  /** Login name sent to the server (at most 8 characters); default $USER. */
  user?: string;
  /** A bearer token to use instead of the WLCG discovery (BEARER_TOKEN, ...). */
  token?: string;
}

/** Finds a bearer token the way the WLCG token discovery profile says; undefined when none. */
export function discoverToken(env: NodeJS.ProcessEnv = process.env): { token: string; from: string } | undefined {
  const strip = (t: string) => t.trim();
  if (env.BEARER_TOKEN?.trim()) return { token: strip(env.BEARER_TOKEN), from: "BEARER_TOKEN" };
  const uid = typeof process.getuid === "function" ? process.getuid() : 0;
  const files: Array<[string, string]> = [];
  if (env.BEARER_TOKEN_FILE) files.push([env.BEARER_TOKEN_FILE, "BEARER_TOKEN_FILE"]);
  if (env.XDG_RUNTIME_DIR) files.push([path.join(env.XDG_RUNTIME_DIR, `bt_u${uid}`), "XDG_RUNTIME_DIR"]);
  files.push([path.join("/tmp", `bt_u${uid}`), "/tmp"]);
  for (const [file, from] of files) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    if (!text.trim()) continue;
    if (tokenFileTooOpen(file)) {
      throw new HepflowError("IO_XROOTD_AUTH", `bearer token file ${file} is readable by others; \`chmod 600\` it (the WLCG profile forbids using it otherwise)`, { file });
    }
    return { token: strip(text), from: `${from} (${file})` };
  }
  return undefined;
}

interface Offer {
  name: string;
  params: string;
}

/** Parses the login security string: "&P=unix&P=ztn,TLS:0:4096:" → [{unix}, {ztn, TLS:0:4096:}]. */
export function parseSecurity(sec: string): Offer[] {
  return sec
    .split("&P=")
    .slice(1)
    .map((p) => {
      const comma = p.indexOf(",");
      const name = (comma < 0 ? p : p.slice(0, comma)).replace(/[&\0].*$/s, "").trim();
      return { name, params: comma < 0 ? "" : p.slice(comma + 1).replace(/&.*$/s, "") };
    })
    .filter((o) => o.name);
}

export async function authenticate(conn: XrdConnection, sec: string, opt: AuthOptions & { url: string; tlsActive: boolean }): Promise<void> {
  const offers = parseSecurity(sec);
  const names = offers.map((o) => o.name);
  const tried: string[] = [];
  for (const offer of offers) {
    let cred: Buffer | undefined;
    if (offer.name === "unix") cred = unixCredentials(opt.user);
    else if (offer.name === "ztn") {
      if (!opt.tlsActive) {
        tried.push("ztn (needs TLS: use roots://)");
        continue;
      }
      const found = opt.token ? { token: opt.token, from: "option" } : discoverToken();
      if (!found) {
        tried.push("ztn (no token in BEARER_TOKEN, BEARER_TOKEN_FILE, $XDG_RUNTIME_DIR/bt_u<uid> or /tmp/bt_u<uid>)");
        continue;
      }
      cred = ztnCredentials(found.token);
    } else {
      continue;
    }
    const reply = await send(conn, offer.name, cred, opt.url);
    if (reply.kind === "ok") return;
    tried.push(`${offer.name} (server wanted a further exchange, which hepflow does not do)`);
  }
  const gsi =
    names.includes("gsi") || names.includes("x509")
      ? " GSI/X.509 proxy authentication is not implemented in hepflow; ask the site for token (ztn over roots://) or unix access, or copy the file first with `xrdcp` (which uses your proxy) and read the local copy."
      : "";
  throw new HepflowError("IO_XROOTD_AUTH", `cannot authenticate: the server offers ${names.join(", ") || "nothing"}${tried.length ? `; tried ${tried.join(", ")}` : ""}.${gsi}`, { file: opt.url });
}

async function send(conn: XrdConnection, protocol: string, cred: Buffer, url: string): Promise<Reply> {
  try {
    return await conn.send(
      Req.auth,
      (b) => {
        b.write(protocol.padEnd(4, "\0").slice(0, 4), 12, 4, "latin1");
      },
      cred,
      `authentication (${protocol})`,
    );
  } catch (e) {
    if (e instanceof HepflowError && e.code !== "IO_XROOTD_CONN") {
      throw new HepflowError("IO_XROOTD_AUTH", `${protocol} authentication refused: ${e.message.replace(`${url}: `, "")}`, { file: url }, { cause: e });
    }
    throw e;
  }
}

/** "unix\0<user> <group>\0": the server trusts the names (used inside a site or a test). */
function unixCredentials(user?: string): Buffer {
  let name = user ?? process.env.USER ?? "";
  let group = "";
  try {
    const info = os.userInfo();
    name ||= info.username;
    group = groupName(info.gid);
  } catch {
    /* no passwd entry: the name alone */
  }
  return Buffer.from(`unix\0${name}${group ? ` ${group}` : ""}\0`, "latin1");
}

function groupName(gid: number): string {
  try {
    for (const line of readFileSync("/etc/group", "utf8").split("\n")) {
      const f = line.split(":");
      if (Number(f[2]) === gid) return f[0]!;
    }
  } catch {
    /* no /etc/group */
  }
  return "";
}

/** The ztn answer: "ztn\0", version 0, 'T', two reserved bytes, token length (with its NUL), token, NUL. */
function ztnCredentials(token: string): Buffer {
  const t = Buffer.from(token, "utf8");
  const out = Buffer.alloc(10 + t.length + 2);
  out.write("ztn", 0, "latin1");
  out[4] = 0;
  out[5] = 0x54; // 'T'
  out.writeUInt16BE(t.length + 1, 8);
  t.copy(out, 10);
  return out;
}

/** True when a token file is readable by others, which the WLCG profile forbids. */
function tokenFileTooOpen(file: string): boolean {
  try {
    return (statSync(file).mode & 0o077) !== 0;
  } catch {
    return false;
  }
}
