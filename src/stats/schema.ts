/**
 * JSON schema for HistFactory workspaces, following pyhf's published workspace schema 1.0.0
 * (channels / samples / modifiers / observations / measurements), plus pyhf patchsets.
 * Validation is done with ajv, compiled ahead of time (scripts/schema-validators.mjs) so that
 * start-up does not pay for ajv's compiler; errors are reported with the JSON path of the offending value.
 */
import { createRequire } from "node:module";
import type { ErrorObject, ValidateFunction } from "ajv";
import { HepflowError } from "../util/index.js";
import * as compiled from "./schema-validators.generated.js";

const numbers = { type: "array", items: { type: "number" }, minItems: 1 };
const named = (type: string, data: object) => ({
  type: "object",
  properties: { name: { type: "string" }, type: { const: type }, data },
  required: ["name", "type", "data"],
  additionalProperties: false,
});

/** The workspace schema (draft-07 subset that ajv understands). */
export const WORKSPACE_SCHEMA = {
  $id: "hepflow:pyhf-workspace-1.0.0",
  type: "object",
  definitions: {
    parameter: {
      type: "object",
      properties: {
        name: { type: "string" },
        inits: numbers,
        bounds: { type: "array", items: { type: "array", items: { type: "number" }, minItems: 2, maxItems: 2 }, minItems: 1 },
        auxdata: numbers,
        factors: numbers,
        sigmas: numbers,
        fixed: { type: "boolean" },
      },
      required: ["name"],
      additionalProperties: false,
    },
    modifier: {
      type: "object",
      required: ["name", "type", "data"],
      properties: { type: { enum: ["histosys", "lumi", "normfactor", "normsys", "shapefactor", "shapesys", "staterror"] } },
      // discriminate on "type" so that errors point into the right branch
      allOf: [
        {
          if: { properties: { type: { const: "histosys" } } },
          then: named("histosys", {
            type: "object",
            properties: { lo_data: numbers, hi_data: numbers },
            required: ["lo_data", "hi_data"],
            additionalProperties: false,
          }),
        },
        { if: { properties: { type: { const: "lumi" } } }, then: { ...named("lumi", { type: "null" }), properties: { name: { const: "lumi" }, type: { const: "lumi" }, data: { type: "null" } } } },
        { if: { properties: { type: { const: "normfactor" } } }, then: named("normfactor", { type: "null" }) },
        {
          if: { properties: { type: { const: "normsys" } } },
          then: named("normsys", {
            type: "object",
            properties: { lo: { type: "number" }, hi: { type: "number" } },
            required: ["lo", "hi"],
            additionalProperties: false,
          }),
        },
        { if: { properties: { type: { const: "shapefactor" } } }, then: named("shapefactor", { type: "null" }) },
        { if: { properties: { type: { const: "shapesys" } } }, then: named("shapesys", numbers) },
        { if: { properties: { type: { const: "staterror" } } }, then: named("staterror", numbers) },
      ],
    },
    sample: {
      type: "object",
      properties: {
        name: { type: "string" },
        data: numbers,
        modifiers: { type: "array", items: { $ref: "#/definitions/modifier" } },
      },
      required: ["name", "data", "modifiers"],
      additionalProperties: false,
    },
    channel: {
      type: "object",
      properties: { name: { type: "string" }, samples: { type: "array", items: { $ref: "#/definitions/sample" }, minItems: 1 } },
      required: ["name", "samples"],
      additionalProperties: false,
    },
    observation: {
      type: "object",
      properties: { name: { type: "string" }, data: numbers },
      required: ["name", "data"],
      additionalProperties: false,
    },
    measurement: {
      type: "object",
      properties: {
        name: { type: "string" },
        config: {
          type: "object",
          properties: { poi: { type: "string" }, parameters: { type: "array", items: { $ref: "#/definitions/parameter" } } },
          required: ["poi", "parameters"],
          additionalProperties: false,
        },
      },
      required: ["name", "config"],
      additionalProperties: false,
    },
  },
  properties: {
    channels: { type: "array", items: { $ref: "#/definitions/channel" }, minItems: 1 },
    measurements: { type: "array", items: { $ref: "#/definitions/measurement" }, minItems: 1 },
    observations: { type: "array", items: { $ref: "#/definitions/observation" }, minItems: 1 },
    version: { const: "1.0.0" },
  },
  required: ["channels", "measurements", "observations", "version"],
  additionalProperties: false,
} as const;

const jsonPatchOp = {
  type: "object",
  required: ["op", "path"],
  properties: {
    op: { enum: ["add", "remove", "replace", "move", "copy", "test"] },
    path: { type: "string" },
    from: { type: "string" },
  },
};

/** A pyhf patchset (version 1.0.0): named JSON patches with metadata. */
export const PATCHSET_SCHEMA = {
  $id: "hepflow:pyhf-patchset-1.0.0",
  type: "object",
  properties: {
    metadata: { type: "object", required: ["references", "digests", "labels", "description"] },
    patches: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        properties: {
          metadata: { type: "object", properties: { name: { type: "string" }, values: { type: "array" } }, required: ["name", "values"] },
          patch: { type: "array", items: jsonPatchOp },
        },
        required: ["metadata", "patch"],
        additionalProperties: false,
      },
    },
    version: { const: "1.0.0" },
  },
  required: ["patches", "metadata", "version"],
  additionalProperties: false,
} as const;

/** A plain RFC 6902 patch. */
export const JSONPATCH_SCHEMA = { $id: "hepflow:jsonpatch", type: "array", items: jsonPatchOp } as const;

const validators = new Map<string, ValidateFunction>([
  [WORKSPACE_SCHEMA.$id, compiled.workspace as ValidateFunction],
  [PATCHSET_SCHEMA.$id, compiled.patchset as ValidateFunction],
  [JSONPATCH_SCHEMA.$id, compiled.jsonpatch as ValidateFunction],
]);

/** The compiled validator of `schema`; a schema not compiled ahead of time is compiled by ajv on first use. */
function validator(schema: { $id: string }): ValidateFunction {
  let v = validators.get(schema.$id);
  if (!v) {
    const Ajv = createRequire(import.meta.url)("ajv").default as new (o: object) => { compile: (s: object) => ValidateFunction };
    v = new Ajv({ allErrors: false, strict: false }).compile(schema);
    validators.set(schema.$id, v);
  }
  return v;
}

/** JSON path ($.channels[0].samples[1]) of an ajv error, for messages users can follow. */
function jsonPath(e: ErrorObject): string {
  const parts = e.instancePath
    .split("/")
    .slice(1)
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  let path = "$";
  for (const p of parts) path += /^\d+$/.test(p) ? `[${p}]` : `.${p}`;
  return path;
}

function describe(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "required":
      return `missing required property "${String(p.missingProperty)}"`;
    case "additionalProperties":
      return `unknown property "${String(p.additionalProperty)}"`;
    case "const":
      return `must be ${JSON.stringify(p.allowedValue)}`;
    case "enum":
      return `must be one of ${JSON.stringify(p.allowedValues)}`;
    default:
      return e.message ?? e.keyword;
  }
}

/** Validate `value` against `schema`; throw HepflowError(code) naming the JSON path on failure. */
export function validateAgainst(schema: { $id: string }, value: unknown, code: string, what: string, file?: string): void {
  const v = validator(schema);
  if (v(value)) return;
  // the deepest error is the most specific one (if/then wrappers report at the parent)
  const errors = (v.errors ?? []).filter((e) => e.keyword !== "if");
  const e = errors.sort((a, b) => b.instancePath.length - a.instancePath.length)[0] ?? v.errors?.[0];
  if (!e) throw new HepflowError(code, `invalid ${what}`, { file });
  const path = jsonPath(e);
  throw new HepflowError(code, `invalid ${what}: ${describe(e)}`, { file, object: path });
}
