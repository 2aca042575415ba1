/**
 * pyhf's workspace digest (`pyhf digest`, `pyhf.utils.digest`): a hash of the workspace serialised
 * as Python's `json.dumps(obj, sort_keys=True, ensure_ascii=False)` writes it. The text differs
 * from JavaScript's JSON.stringify in ways that change the hash — `2.0` stays `2.0` (a float) while
 * `2` stays `2` (an int), floats use Python's repr (`1e-05`, `1e+16`), and separators are ", " and
 * ": " — so the digest is computed from the file's text, where integer and float literals are
 * still told apart, not from parsed JavaScript numbers (which would lose that distinction).
 */
import { createHash } from "node:crypto";
import { HepflowError } from "../util/index.js";

/** Python's repr() of a float, from JavaScript's shortest round-trip digits. */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "Infinity" : "-Infinity";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mant, expText] = x.toExponential().split("e") as [string, string];
  const exp = Number(expText);
  const neg = mant.startsWith("-");
  const digits = mant.replace("-", "").replace(".", "");
  let body: string;
  if (exp >= -4 && exp < 16) {
    if (exp < 0) body = `0.${"0".repeat(-exp - 1)}${digits}`;
    else if (digits.length > exp + 1) body = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
    else body = `${digits}${"0".repeat(exp + 1 - digits.length)}.0`;
  } else {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    body = `${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  return neg ? `-${body}` : body;
}

/** Re-serialise JSON text as Python's json.dumps(sort_keys=True, ensure_ascii=False) would. */
export function pythonCanonicalJson(text: string, file?: string): string {
  let i = 0;
  const fail = (msg: string): never => {
    throw new HepflowError("WORKSPACE_INVALID", `not valid JSON: ${msg} at character ${i}`, { file, offset: i });
  };
  const ws = () => {
    while (i < text.length && (text[i] === " " || text[i] === "\n" || text[i] === "\r" || text[i] === "\t")) i++;
  };
  const str = (): string => {
    const start = i++;
    while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    if (i >= text.length) fail("unterminated string");
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (): string => {
    ws();
    const ch = text[i];
    if (ch === "{") {
      i++;
      const entries = new Map<string, string>();
      ws();
      if (text[i] === "}") {
        i++;
        return "{}";
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail("expected a key");
        const k = str();
        ws();
        if (text[i++] !== ":") fail("expected ':'");
        entries.set(k, value());
        ws();
        const sep = text[i++];
        if (sep === "}") break;
        if (sep !== ",") fail("expected ',' or '}'");
      }
      const keys = [...entries.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${keys.map((k) => `${JSON.stringify(k)}: ${entries.get(k)}`).join(", ")}}`;
    }
    if (ch === "[") {
      i++;
      const items: string[] = [];
      ws();
      if (text[i] === "]") {
        i++;
        return "[]";
      }
      for (;;) {
        items.push(value());
        ws();
        const sep = text[i++];
        if (sep === "]") break;
        if (sep !== ",") fail("expected ',' or ']'");
      }
      return `[${items.join(", ")}]`;
    }
    if (ch === '"') return JSON.stringify(str());
    for (const lit of ["true", "false", "null"]) {
      if (text.startsWith(lit, i)) {
        i += lit.length;
        return lit;
      }
    }
    const m = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 64));
    if (!m) return fail("unexpected character");
    i += m[0].length;
    if (m[1] === undefined && m[2] === undefined) return m[0] === "-0" ? "0" : m[0]; // a Python int
    return pythonFloatRepr(Number(m[0]));
  };
  const out = value();
  ws();
  if (i !== text.length) fail("trailing characters");
  return out;
}

/** pyhf's digest of a workspace file's text with a hashlib algorithm name (sha256, md5, sha1, …). */
export function workspaceDigest(text: string, algorithm = "sha256", file?: string): string {
  let h;
  try {
    h = createHash(algorithm);
  } catch {
    throw new HepflowError("CLI_USAGE", `unknown hash algorithm "${algorithm}" (e.g. sha256, sha1, md5)`);
  }
  return h.update(pythonCanonicalJson(text, file), "utf8").digest("hex");
}
