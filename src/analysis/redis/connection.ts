/**
 * Redis URLs: redis://[user[:password]@]host[:port][/db] and rediss:// (TLS). Parsed here so a
 * bad URL is a clear error before anything connects, and so logs show it without the password.
 */
import { HepflowError } from "../../util/index.js";

/** The connection options handed to ioredis (through BullMQ). */
export interface RedisConnection {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db?: number;
  tls?: Record<string, never>;
  /** BullMQ workers need commands to wait for a reconnect instead of failing. */
  maxRetriesPerRequest: null;
}

/** Parse a redis:// or rediss:// URL. */
export function parseRedisUrl(url: string): RedisConnection {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new HepflowError("REDIS_URL", `not a Redis URL: "${redactUrl(url)}" (expected redis://[user:password@]host:port[/db] or rediss://…)`);
  }
  if (u.protocol !== "redis:" && u.protocol !== "rediss:") throw new HepflowError("REDIS_URL", `unsupported scheme "${u.protocol}" in "${redactUrl(url)}" (redis:// or rediss:// for TLS)`);
  const db = u.pathname && u.pathname !== "/" ? Number(u.pathname.slice(1)) : undefined;
  if (db !== undefined && !(Number.isInteger(db) && db >= 0)) throw new HepflowError("REDIS_URL", `the database in "${redactUrl(url)}" must be a number (redis://host:port/DB)`);
  const port = u.port ? Number(u.port) : 6379;
  return {
    host: u.hostname.replace(/^\[|\]$/g, ""),
    port,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(db !== undefined ? { db } : {}),
    ...(u.protocol === "rediss:" ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
  };
}

/** The URL with its password replaced by ***, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/^(\w+:\/\/[^:@/]*:)[^@/]*@/, "$1***@");
}
