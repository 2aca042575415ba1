/**
 * Whole-workspace operations with pyhf's semantics: combine two workspaces (join modes none,
 * outer, left outer, right outer), prune channels/samples/modifiers/measurements, and rename them.
 * All work on the JSON spec and return a new, validated Workspace.
 */
import { HepflowError } from "../util/index.js";
import { Workspace } from "./workspace.js";
import type { ChannelSpec, MeasurementSpec, ModifierType, ObservationSpec, ParameterSpec, WorkspaceSpec } from "./spec.js";

/** pyhf's join modes for combining workspaces. */
export type JoinMode = "none" | "outer" | "left outer" | "right outer";
export const JOIN_MODES: JoinMode[] = ["none", "outer", "left outer", "right outer"];

const specOf = (w: Workspace | WorkspaceSpec): WorkspaceSpec => structuredClone(w instanceof Workspace ? w.toJSON() : w);
const fail = (msg: string): never => {
  throw new HepflowError("WORKSPACE_OPERATION_INVALID", msg);
};
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Join two named lists: "none" keeps both (names must differ), outer joins keep one per name. */
function joinItems<T extends { name: string }>(join: JoinMode, left: T[], right: T[], what: string): T[] {
  if (join === "none") return [...left, ...right];
  const primary = join === "right outer" ? right : left;
  const secondary = join === "right outer" ? left : right;
  const out = [...primary];
  for (const item of secondary) {
    const other = primary.find((p) => p.name === item.name);
    if (!other) out.push(item);
    else if (join === "outer" && !same(other, item)) fail(`both workspaces have a ${what} "${item.name}" with different content; an outer join needs them identical (use "left outer" or "right outer" to pick one)`);
  }
  return out;
}

/** Merge the parameter settings of a measurement present in both workspaces (conflicts are errors). */
function joinParameters(measurement: string, left: ParameterSpec[], right: ParameterSpec[]): ParameterSpec[] {
  const out = [...left];
  for (const p of right) {
    const q = left.find((x) => x.name === p.name);
    if (!q) out.push(p);
    else if (!same(q, p)) fail(`measurement "${measurement}" sets parameter "${p.name}" differently in the two workspaces`);
  }
  return out;
}

/** Combine two workspaces (pyhf Workspace.combine without merge_channels). */
export function combineWorkspaces(left: Workspace | WorkspaceSpec, right: Workspace | WorkspaceSpec, join: JoinMode = "none"): Workspace {
  if (!JOIN_MODES.includes(join)) fail(`unknown join "${join}"; use one of ${JOIN_MODES.join(", ")}`);
  const l = specOf(left);
  const r = specOf(right);
  if (l.version !== r.version) fail(`the workspaces have different versions (${l.version} and ${r.version})`);
  const measurements: MeasurementSpec[] = [];
  if (join === "none") {
    const common = l.channels.map((c) => c.name).filter((n) => r.channels.some((c) => c.name === n));
    if (common.length) fail(`the workspaces have channels in common (${common.join(", ")}); rename them first or use an outer join`);
    for (const m of l.measurements) {
      const o = r.measurements.find((x) => x.name === m.name);
      if (!o) measurements.push(m);
      else if (o.config.poi !== m.config.poi) fail(`measurement "${m.name}" has POI "${m.config.poi}" on the left and "${o.config.poi}" on the right`);
      else measurements.push({ name: m.name, config: { poi: m.config.poi, parameters: joinParameters(m.name, m.config.parameters, o.config.parameters) } });
    }
    measurements.push(...r.measurements.filter((m) => !l.measurements.some((x) => x.name === m.name)));
  } else {
    measurements.push(...joinItems(join, l.measurements, r.measurements, "measurement"));
  }
  const spec: WorkspaceSpec = {
    channels: joinItems<ChannelSpec>(join, l.channels, r.channels, "channel"),
    observations: joinItems<ObservationSpec>(join, l.observations, r.observations, "observation"),
    measurements,
    version: l.version,
  };
  return Workspace.fromJSON(spec);
}

/** What to remove from a workspace; every name must exist. */
export interface PruneOptions {
  channels?: string[];
  samples?: string[];
  modifiers?: string[];
  modifierTypes?: ModifierType[];
  measurements?: string[];
}

/** Remove channels, samples, modifiers (by name or type) and measurements (pyhf Workspace.prune). */
export function pruneWorkspace(ws: Workspace | WorkspaceSpec, opts: PruneOptions): Workspace {
  const spec = specOf(ws);
  const samples = new Set(spec.channels.flatMap((c) => c.samples.map((s) => s.name)));
  const modifiers = new Set(spec.channels.flatMap((c) => c.samples.flatMap((s) => s.modifiers.map((m) => m.name))));
  const types = new Set(spec.channels.flatMap((c) => c.samples.flatMap((s) => s.modifiers.map((m) => m.type))));
  const check = (names: string[] | undefined, known: Set<string>, what: string) => {
    for (const n of names ?? []) if (!known.has(n)) fail(`cannot prune ${what} "${n}": the workspace has none (it has ${[...known].join(", ")})`);
  };
  check(opts.channels, new Set(spec.channels.map((c) => c.name)), "channel");
  check(opts.samples, samples, "sample");
  check(opts.modifiers, modifiers, "modifier");
  check(opts.modifierTypes, types, "modifier type");
  check(opts.measurements, new Set(spec.measurements.map((m) => m.name)), "measurement");
  const dropChannel = new Set(opts.channels);
  const dropSample = new Set(opts.samples);
  const dropMod = new Set(opts.modifiers);
  const dropType = new Set<string>(opts.modifierTypes);
  spec.channels = spec.channels
    .filter((c) => !dropChannel.has(c.name))
    .map((c) => {
      const kept = c.samples.filter((s) => !dropSample.has(s.name)).map((s) => ({ ...s, modifiers: s.modifiers.filter((m) => !dropMod.has(m.name) && !dropType.has(m.type)) }));
      if (kept.length === 0) fail(`pruning would leave channel "${c.name}" without samples; prune the channel instead`);
      return { ...c, samples: kept };
    });
  spec.observations = spec.observations.filter((o) => !dropChannel.has(o.name));
  // parameter settings of modifiers that no longer exist go too (as in pyhf)
  const remaining = new Set(spec.channels.flatMap((c) => c.samples.flatMap((s) => s.modifiers.map((m) => m.name))));
  spec.measurements = spec.measurements.filter((m) => !dropMeasurementName(opts, m.name)).map((m) => ({ ...m, config: { ...m.config, parameters: m.config.parameters.filter((p) => remaining.has(p.name)) } }));
  if (spec.channels.length === 0) fail("pruning would remove every channel");
  if (spec.measurements.length === 0) fail("pruning would remove every measurement");
  return Workspace.fromJSON(spec);
}

function dropMeasurementName(opts: PruneOptions, name: string): boolean {
  return (opts.measurements ?? []).includes(name);
}

/** Old → new names per kind. */
export interface RenameOptions {
  channels?: Record<string, string>;
  samples?: Record<string, string>;
  modifiers?: Record<string, string>;
  measurements?: Record<string, string>;
}

/** Rename channels, samples, modifiers (and their parameter settings and the POI) and measurements (pyhf Workspace.rename). */
export function renameWorkspace(ws: Workspace | WorkspaceSpec, opts: RenameOptions): Workspace {
  const spec = specOf(ws);
  const map = (m: Record<string, string> | undefined, n: string): string => (m && Object.hasOwn(m, n) ? m[n] : undefined) ?? n;
  spec.channels = spec.channels.map((c) => ({
    name: map(opts.channels, c.name),
    samples: c.samples.map((s) => ({ ...s, name: map(opts.samples, s.name), modifiers: s.modifiers.map((m) => ({ ...m, name: map(opts.modifiers, m.name) })) })),
  }));
  spec.observations = spec.observations.map((o) => ({ ...o, name: map(opts.channels, o.name) }));
  spec.measurements = spec.measurements.map((m) => ({
    name: map(opts.measurements, m.name),
    config: { ...m.config, poi: map(opts.modifiers, m.config.poi), parameters: m.config.parameters.map((p) => ({ ...p, name: map(opts.modifiers, p.name) })) },
  }));
  const dup = (names: string[], what: string) => {
    const d = names.find((n, i) => names.indexOf(n) !== i);
    if (d !== undefined) fail(`renaming gives two ${what}s the name "${d}"`);
  };
  dup(
    spec.channels.map((c) => c.name),
    "channel",
  );
  dup(
    spec.measurements.map((m) => m.name),
    "measurement",
  );
  spec.channels.forEach((c) =>
    dup(
      c.samples.map((s) => s.name),
      `sample in channel "${c.name}"`,
    ),
  );
  return Workspace.fromJSON(spec);
}
