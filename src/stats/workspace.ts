/**
 * A pyhf JSON workspace (schema 1.0.0): validated on load, patchable with RFC 6902 patches and
 * pyhf patchsets, and the source of models (one per measurement) and their observed data.
 */
import jsonpatch from "fast-json-patch";
import type { Operation } from "fast-json-patch";
import { HepflowError } from "../util/index.js";
import { Model } from "./model.js";
import { JSONPATCH_SCHEMA, PATCHSET_SCHEMA, validateAgainst, WORKSPACE_SCHEMA } from "./schema.js";
import type { MeasurementSpec, ModifierSettings, WorkspaceSpec } from "./spec.js";

/** A JSON patch: a list of RFC 6902 operations, or one entry of a pyhf patchset ({metadata, patch}). */
export type WorkspacePatch = Operation[] | { metadata?: { name?: string }; patch: Operation[] };

/** A pyhf patchset: named patches plus metadata. */
export interface PatchSet {
  metadata: Record<string, unknown>;
  patches: { metadata: { name: string; values: unknown[] }; patch: Operation[] }[];
  version: "1.0.0";
}

/** Options of Workspace.model(). */
export interface WorkspaceModelOptions {
  measurement?: string;
  modifierSettings?: ModifierSettings;
  /** Override the measurement's POI; null for a model without POI. */
  poiName?: string | null;
}

/** The HistFactory workspace: channels, observations, measurements. */
export class Workspace {
  private constructor(
    readonly spec: WorkspaceSpec,
    readonly file?: string,
  ) {}

  /** Validate a parsed workspace (schema + consistency) and wrap it; errors carry code WORKSPACE_INVALID and the JSON path. */
  static fromJSON(json: unknown, { file }: { file?: string } = {}): Workspace {
    validateAgainst(WORKSPACE_SCHEMA, json, "WORKSPACE_INVALID", "workspace", file);
    const spec = structuredClone(json) as WorkspaceSpec;
    checkConsistency(spec, file);
    return new Workspace(spec, file);
  }

  /** The workspace as plain JSON (a deep copy). */
  toJSON(): WorkspaceSpec {
    return structuredClone(this.spec);
  }

  get channelNames(): string[] {
    return this.spec.channels.map((c) => c.name).sort();
  }
  get measurementNames(): string[] {
    return this.spec.measurements.map((m) => m.name);
  }
  /** Observed main data per channel. */
  get observations(): Record<string, number[]> {
    return Object.fromEntries(this.spec.observations.map((o) => [o.name, o.data.slice()]));
  }

  /** A new workspace with the patches applied in order (each validated before and the result after). */
  applyPatches(patches: WorkspacePatch[] | PatchSet, { name }: { name?: string } = {}): Workspace {
    let list: WorkspacePatch[];
    if (!Array.isArray(patches)) {
      validateAgainst(PATCHSET_SCHEMA, patches, "PATCH_INVALID", "patchset", this.file);
      if (name === undefined) {
        throw new HepflowError("PATCH_INVALID", `a patchset holds ${patches.patches.length} patches; choose one by name${patches.patches[0] ? ` (e.g. ${patches.patches[0].metadata.name})` : ""}`);
      }
      const p = patches.patches.find((x) => x.metadata.name === name);
      if (!p) throw new HepflowError("PATCH_INVALID", `no patch named "${name}" in the patchset`);
      list = [p.patch];
    } else {
      list = patches;
    }
    let doc: unknown = this.toJSON();
    list.forEach((patch, i) => {
      const ops = Array.isArray(patch) ? patch : patch.patch;
      validateAgainst(JSONPATCH_SCHEMA, ops, "PATCH_INVALID", `patch #${i + 1}`);
      try {
        doc = jsonpatch.applyPatch(doc, ops, true, false).newDocument;
      } catch (e) {
        throw new HepflowError("PATCH_INVALID", `patch #${i + 1} does not apply: ${(e as Error).message.split("\n")[0]}`, {}, { cause: e });
      }
    });
    return Workspace.fromJSON(doc, { file: this.file });
  }

  /** The measurement called `name`, or the first one. */
  measurement(name?: string): MeasurementSpec {
    if (name === undefined) {
      const [first] = this.spec.measurements;
      if (!first) throw new HepflowError("WORKSPACE_INVALID", "the workspace has no measurements", { file: this.file, object: "$.measurements" });
      return first;
    }
    const m = this.spec.measurements.find((x) => x.name === name);
    if (!m) {
      throw new HepflowError("MEASUREMENT_NOT_FOUND", `no measurement "${name}" (available: ${this.measurementNames.join(", ")})`, { file: this.file });
    }
    return m;
  }

  /** Build the model of a measurement (default: the first one). */
  model({ measurement, modifierSettings, poiName }: WorkspaceModelOptions = {}): Model {
    const m = this.measurement(measurement);
    const mi = this.spec.measurements.indexOf(m);
    const poi = poiName === undefined ? m.config.poi : poiName;
    if (poi !== null && !this.spec.channels.some((c) => c.samples.some((s) => s.modifiers.some((x) => x.name === poi)))) {
      const normfactors = [...new Set(this.spec.channels.flatMap((c) => c.samples.flatMap((s) => s.modifiers.filter((x) => x.type === "normfactor").map((x) => x.name))))];
      throw new HepflowError(
        "MODEL_INVALID",
        `the parameter of interest "${poi}" is not a parameter of the model` + (normfactors.length ? ` (free normalisations: ${normfactors.join(", ")})` : " (background-only? commands that need no POI work without one)"),
        { file: this.file, object: poiName === undefined ? `$.measurements[${mi}].config.poi` : "poiName" },
      );
    }
    try {
      return new Model(
        { channels: this.spec.channels, parameters: m.config.parameters },
        { poiName: poi, modifierSettings, source: { file: this.file, parametersPath: `$.measurements[${mi}].config.parameters`, measurementPoi: m.config.poi } },
      );
    } catch (e) {
      // The model's checks know the JSON path but not the file it came from.
      if (!(e instanceof HepflowError) || e.file !== undefined || this.file === undefined) throw e;
      const bare = e.object !== undefined && e.message.startsWith(`${e.object}: `) ? e.message.slice(e.object.length + 2) : e.message;
      throw new HepflowError(e.code, bare, { file: this.file, object: e.object, offset: e.offset }, { cause: e });
    }
  }

  /** Observed data in the model's channel order, followed by the auxiliary data unless includeAux is false. */
  data(model: Model, { includeAux = true }: { includeAux?: boolean } = {}): Float64Array {
    const main: number[] = [];
    for (const c of model.config.channels) {
      const k = this.spec.observations.findIndex((o) => o.name === c);
      const observation = this.spec.observations[k];
      if (!observation) throw new HepflowError("WORKSPACE_INVALID", `no observation for channel "${c}"`, { file: this.file, object: "$.observations" });
      const d = observation.data;
      d.forEach((v, b) => {
        if (!(Number.isFinite(v) && v >= 0)) {
          throw new HepflowError("DATA_INVALID", `observed count ${v} in bin ${b} of channel "${c}"; observed counts must be finite and non-negative`, { file: this.file, object: `$.observations[${k}].data[${b}]` });
        }
      });
      main.push(...d);
    }
    return Float64Array.from(includeAux ? main.concat(model.config.auxdata) : main);
  }
}

/** Checks the schema cannot express: unique names, observations matching channels and their bin counts. */
function checkConsistency(spec: WorkspaceSpec, file?: string): void {
  const fail = (msg: string, object: string) => {
    throw new HepflowError("WORKSPACE_INVALID", msg, { file, object });
  };
  const nbins = new Map<string, number>();
  spec.channels.forEach((c, i) => {
    if (nbins.has(c.name)) fail(`channel "${c.name}" is defined twice`, `$.channels[${i}]`);
    const [first] = c.samples;
    if (!first) return fail(`channel "${c.name}" has no samples`, `$.channels[${i}].samples`);
    nbins.set(c.name, first.data.length);
    c.samples.forEach((s, j) => {
      if (s.data.length !== first.data.length) {
        fail(`sample "${s.name}" has ${s.data.length} bins but channel "${c.name}" has ${first.data.length}`, `$.channels[${i}].samples[${j}].data`);
      }
    });
  });
  const seen = new Set<string>();
  spec.observations.forEach((o, i) => {
    if (seen.has(o.name)) fail(`observation "${o.name}" is given twice`, `$.observations[${i}]`);
    seen.add(o.name);
    const n = nbins.get(o.name);
    // observations without a channel are allowed (pyhf keeps them; patches often remove channels)
    if (n !== undefined && n !== o.data.length) fail(`observation "${o.name}" has ${o.data.length} bins but the channel has ${n}`, `$.observations[${i}].data`);
  });
  for (const c of nbins.keys()) if (!seen.has(c)) fail(`channel "${c}" has no observation`, "$.observations");
  const mnames = new Set<string>();
  spec.measurements.forEach((m, i) => {
    if (mnames.has(m.name)) fail(`measurement "${m.name}" is defined twice`, `$.measurements[${i}]`);
    mnames.add(m.name);
  });
}
