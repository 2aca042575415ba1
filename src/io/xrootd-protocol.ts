/**
 * XRootD wire protocol: request and response codes, the 24-byte request header, the 8-byte
 * response header, and how server error codes map onto HepflowError codes. Numbers follow
 * XProtocol.hh (protocol 5.1.0); everything on the wire is big-endian.
 */
import { HepflowError } from "../util/index.js";

export const PROTOCOL_VERSION = 0x511;

/** Request codes (ClientRequestHdr.requestid). */
export const Req = {
  auth: 3000,
  query: 3001,
  close: 3003,
  dirlist: 3004,
  protocol: 3006,
  login: 3007,
  mkdir: 3008,
  open: 3010,
  ping: 3011,
  read: 3013,
  rm: 3014,
  sync: 3016,
  stat: 3017,
  write: 3019,
  endsess: 3023,
  readv: 3025,
} as const;

/** Response status codes (ServerResponseHeader.status). */
export const Status = {
  ok: 0,
  oksofar: 4000,
  attn: 4001,
  authmore: 4002,
  error: 4003,
  redirect: 4004,
  wait: 4005,
  waitresp: 4006,
  status: 4007,
} as const;

export const ATTN_ASYNRESP = 5008;

/** kXR_open options. */
export const OpenOpt = {
  delete: 0x0002,
  force: 0x0004,
  new: 0x0008,
  read: 0x0010,
  update: 0x0020,
  mkpath: 0x0100,
  retstat: 0x0400,
} as const;

/** kXR_protocol flags and the server's answer bits. */
export const ProtoFlag = { secreqs: 0x01, ableTLS: 0x02, wantTLS: 0x04 } as const;
export const ServerFlag = { isManager: 0x02, isServer: 0x01, haveTLS: 0x80000000, gotoTLS: 0x40000000, tlsLogin: 0x04000000 } as const;

export const Query = { cksum: 3, config: 7 } as const;

/** Server error numbers (ServerResponseBody_Error.errnum), named for messages. */
const ERROR_NAMES: Record<number, string> = {
  3000: "kXR_ArgInvalid",
  3001: "kXR_ArgMissing",
  3002: "kXR_ArgTooLong",
  3003: "kXR_FileLocked",
  3004: "kXR_FileNotOpen",
  3005: "kXR_FSError",
  3006: "kXR_InvalidRequest",
  3007: "kXR_IOError",
  3008: "kXR_NoMemory",
  3009: "kXR_NoSpace",
  3010: "kXR_NotAuthorized",
  3011: "kXR_NotFound",
  3012: "kXR_ServerError",
  3013: "kXR_Unsupported",
  3014: "kXR_noserver",
  3015: "kXR_NotFile",
  3016: "kXR_isDirectory",
  3017: "kXR_Cancelled",
  3018: "kXR_ItExists",
  3019: "kXR_ChkSumErr",
  3020: "kXR_inProgress",
  3021: "kXR_overQuota",
  3022: "kXR_SigVerErr",
  3023: "kXR_DecryptErr",
  3024: "kXR_Overloaded",
  3025: "kXR_fsReadOnly",
  3026: "kXR_BadPayload",
  3027: "kXR_AttrNotFound",
  3028: "kXR_TLSRequired",
  3029: "kXR_noReplicas",
  3030: "kXR_AuthFailed",
  3031: "kXR_Impossible",
  3032: "kXR_Conflict",
  3033: "kXR_TooManyErrs",
  3034: "kXR_ReqTimedOut",
};

/** HepflowError codes for the server errors a user can act on; the rest become IO_XROOTD. */
const ERROR_CODES: Record<number, string> = {
  3011: "IO_NOT_FOUND",
  3010: "IO_PERMISSION",
  3030: "IO_PERMISSION",
  3007: "IO_XROOTD_IO",
  3005: "IO_XROOTD_IO",
  3016: "IO_IS_DIRECTORY",
  3018: "IO_EXISTS",
  3009: "IO_NO_SPACE",
  3021: "IO_NO_SPACE",
  3025: "IO_PERMISSION",
  3028: "IO_XROOTD_TLS",
};

export function errorName(errnum: number): string {
  return ERROR_NAMES[errnum] ?? `error ${errnum}`;
}

/** The HepflowError for a kXR_error answer to `what` (e.g. "open") on `url`. */
export function serverError(url: string, what: string, errnum: number, message: string): HepflowError {
  const code = ERROR_CODES[errnum] ?? "IO_XROOTD";
  const text = message.replace(/\0+$/, "").trim();
  const plain = errnum === 3010 ? "permission denied" : errnum === 3011 ? "no such file or directory" : "";
  const hint = plain && !text.toLowerCase().includes(plain) ? ` (${plain})` : "";
  return new HepflowError(code, `XRootD ${what} failed: ${text}${hint} [${errorName(errnum)}]`, { file: url });
}

/** A 24-byte request header plus its payload; `fill` writes the 16 body bytes (offsets relative to byte 4). */
export function request(streamId: number, requestId: number, fill: ((b: Buffer) => void) | undefined, data?: Uint8Array): Buffer {
  const dlen = data?.length ?? 0;
  const out = Buffer.allocUnsafe(24 + dlen);
  out.writeUInt16BE(streamId, 0);
  out.writeUInt16BE(requestId, 2);
  out.fill(0, 4, 20);
  if (fill) fill(out.subarray(4, 20));
  out.writeInt32BE(dlen, 20);
  if (data) out.set(data, 24);
  return out;
}

/** Writes a 64-bit offset (files beyond 2^53 bytes do not exist in practice). */
export function writeOffset(b: Buffer, at: number, offset: number): void {
  b.writeBigInt64BE(BigInt(offset), at);
}

/** The 20-byte initial handshake every client sends first. */
export function handshake(): Buffer {
  const b = Buffer.alloc(20);
  b.writeInt32BE(4, 12);
  b.writeInt32BE(2012, 16);
  return b;
}

/** Parses the text of a kXR_stat answer: "id size flags modtime". */
export function parseStat(text: string, url: string): { size: number; flags: number; mtime: number } {
  const parts = text.replace(/\0+$/, "").trim().split(/\s+/);
  const size = Number(parts[1]),
    flags = Number(parts[2]),
    mtime = Number(parts[3]);
  if (parts.length < 4 || !Number.isFinite(size) || !Number.isFinite(flags)) {
    throw new HepflowError("IO_XROOTD_PROTOCOL", `unreadable stat answer "${text.slice(0, 80)}"`, { file: url });
  }
  return { size, flags, mtime };
}

export const StatFlag = { isDir: 2, other: 4, offline: 8, readable: 16, writable: 32 } as const;
