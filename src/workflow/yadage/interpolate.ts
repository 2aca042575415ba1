/**
 * The interpolation rule of commands, scripts and publisher templates, stated once:
 *
 * - `{name}` where `name` is a parameter of the step (letters, digits, `_`) is replaced by its
 *   value; `{name[0]}` / `{name.key}` select inside a list / mapping value.
 * - A list value is written as its elements joined by single spaces (as packtivity does, so
 *   `cat {files}` works); a mapping or nested list as JSON; numbers and booleans as JSON.
 * - `{{` and `}}` are literal braces.
 * - Every other brace is left alone: `${HOME}`, `awk '{print $1}'`, `{ echo; }`, and `{name}`
 *   where `name` is not a parameter. Python's `str.format` (yadage) fails on these; here they
 *   pass through, and `hepflow workflow validate` warns about a `{name}` that looks like a
 *   placeholder but names no parameter.
 */

const PLACEHOLDER = /\{\{|\}\}|(?<!\$)\{([A-Za-z_][A-Za-z0-9_]*)((?:\[\d+\]|\.[A-Za-z_][A-Za-z0-9_]*)*)\}/g;

/** How one parameter value is written into a command. */
export function formatValue(v: unknown): string {
  if (typeof v === "string") return v;
  if (Array.isArray(v)) return v.map((x) => (typeof x === "string" ? x : JSON.stringify(x))).join(" ");
  return JSON.stringify(v);
}

function selectInside(value: unknown, path: string): { ok: boolean; value: unknown } {
  const parts = path.match(/\[\d+\]|\.[A-Za-z_][A-Za-z0-9_]*/g) ?? [];
  let v = value;
  for (const p of parts) {
    const key = p.startsWith("[") ? Number(p.slice(1, -1)) : p.slice(1);
    if (v === null || typeof v !== "object" || !(key in (v as Record<string, unknown>))) return { ok: false, value: undefined };
    v = (v as Record<string | number, unknown>)[key];
  }
  return { ok: true, value: v };
}

/** Replaces the placeholders of `template` by parameter values (rule above). */
export function interpolate(template: string, pars: Readonly<Record<string, unknown>>): string {
  return template.replace(PLACEHOLDER, (whole, name: string | undefined, path: string | undefined) => {
    if (whole === "{{") return "{";
    if (whole === "}}") return "}";
    if (name === undefined || !Object.hasOwn(pars, name)) return whole;
    const sel = selectInside(pars[name], path ?? "");
    return sel.ok ? formatValue(sel.value) : whole;
  });
}

/** The parameter-like placeholder names of a template (for validation). */
export function placeholders(template: string): string[] {
  const names: string[] = [];
  for (const m of template.matchAll(PLACEHOLDER)) if (m[1] !== undefined) names.push(m[1]);
  return names;
}

/** Interpolates every string leaf of a JSON value. */
export function interpolateDeep(value: unknown, pars: Readonly<Record<string, unknown>>): unknown {
  if (typeof value === "string") return interpolate(value, pars);
  if (Array.isArray(value)) return value.map((v) => interpolateDeep(v, pars));
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateDeep(v, pars)]));
  return value;
}
