/**
 * The yadage language as a JSON schema, checked with ajv. It follows yadage/yadage-schemas
 * (workflow, stage, the three schedulers with `cases`, dependency predicates, packtivity process,
 * environment and publisher types) in the form authors write: `parameters` as a mapping (the
 * schemas' key/value list is yadage's internal form) and `dependencies` also as a list of stage
 * names. hepflow adds one process type, `hepflow-cmd`, and one environment, `hepflow-env`.
 */
import { Ajv, type ErrorObject } from "ajv";

const str = { type: "string" } as const;
const obj = { type: "object" } as const;

/** `{type: T}` with an enum of one value: the tag of a discriminated union. */
const tag = (name: string) => ({ type: "string", enum: [name] });

const typed = (tagKey: string, name: string, props: Record<string, unknown>, required: string[] = []) => ({
  type: "object",
  additionalProperties: false,
  properties: { [tagKey]: tag(name), ...props },
  required: [tagKey, ...required],
});

const union = (tagKey: string, members: Array<ReturnType<typeof typed>>) => ({
  type: "object",
  required: [tagKey],
  discriminator: { propertyName: tagKey },
  oneOf: members,
});

const processTypes = [
  typed("process_type", "string-interpolated-cmd", { cmd: str }, ["cmd"]),
  typed("process_type", "interpolated-script-cmd", { script: str, interpreter: str }, ["script"]),
  typed("process_type", "manual-instructions-proc", { instructions: str }, ["instructions"]),
  typed("process_type", "hepflow-cmd", { cmd: str }, ["cmd"]),
];

const environmentTypes = [
  typed("environment_type", "localproc-env", {}),
  typed("environment_type", "noop-env", {}),
  typed("environment_type", "manual-instructions-env", { instructions: str }, ["instructions"]),
  typed("environment_type", "hepflow-env", { env: { type: "object", additionalProperties: { type: ["string", "number", "boolean"] } } }),
  typed(
    "environment_type",
    "docker-encapsulated",
    {
      image: str,
      imagetag: str,
      resources: { type: "array" },
      envscript: str,
      env: { type: "object", additionalProperties: { type: ["string", "number", "boolean"] } },
      workdir: { type: ["string", "null"] },
      par_mounts: {
        type: "array",
        items: { type: "object", additionalProperties: false, properties: { jqscript: str, mountpath: str }, required: ["jqscript", "mountpath"] },
      },
    },
    ["image"],
  ),
];

const publisherTypes = [
  typed("publisher_type", "constant-pub", { publish: obj }, ["publish"]),
  typed("publisher_type", "frompar-pub", { outputmap: { type: "object", additionalProperties: str } }, ["outputmap"]),
  typed("publisher_type", "fromparjq-pub", { script: str, tryExact: { type: "boolean" }, glob: { type: "boolean" }, relative_paths: { type: "boolean" } }),
  typed("publisher_type", "fromyaml-pub", { yamlfile: str }, ["yamlfile"]),
  typed("publisher_type", "fromglob-pub", { globexpression: str, outputkey: str }, ["globexpression", "outputkey"]),
  typed("publisher_type", "interpolated-pub", { publish: { type: ["object", "array", "string", "boolean", "number"] }, glob: { type: "boolean" }, relative_paths: { type: "boolean" } }, ["publish"]),
  typed("publisher_type", "manual-instructions-pub", { instructions: str }, ["instructions"]),
];

/** A step body or sub-workflow: exactly one of `step`, `workflow`, `cases` (the schemas' oneOf). */
const bodyKeys = {
  step: { $ref: "#/definitions/packtivity" },
  workflow: { $ref: "#/definitions/workflow" },
  cases: { $ref: "#/definitions/cases" },
};
const exactlyOneBody = {
  oneOf: [
    { required: ["step"], not: { anyOf: [{ required: ["workflow"] }, { required: ["cases"] }] } },
    { required: ["workflow"], not: { anyOf: [{ required: ["step"] }, { required: ["cases"] }] } },
    { required: ["cases"], not: { anyOf: [{ required: ["step"] }, { required: ["workflow"] }] } },
  ],
};

const schedulers = [
  typed("scheduler_type", "singlestep-stage", { parameters: obj, register_values: obj, workflow_opts: obj, ...bodyKeys }),
  typed(
    "scheduler_type",
    "multistep-stage",
    {
      parameters: obj,
      register_values: obj,
      workflow_opts: obj,
      batchsize: { type: "integer", minimum: 1 },
      partitionsize: { type: "integer", minimum: 1 },
      scatter: {
        type: "object",
        additionalProperties: false,
        properties: { method: { type: "string", enum: ["zip", "cartesian"] }, parameters: { type: "array", items: str, minItems: 1 } },
        required: ["method", "parameters"],
      },
      ...bodyKeys,
    },
    ["scatter"],
  ),
  typed(
    "scheduler_type",
    "jq-stage",
    {
      bindings: obj,
      stepscript: str,
      postscript: str,
      register_values: obj,
      workflow_opts: obj,
      step: bodyKeys.step,
      workflow: bodyKeys.workflow,
    },
    ["stepscript"],
  ),
];

/** The whole language; `#/definitions/workflow` is the root. */
export const yadageSchema = {
  $id: "hepflow:yadage",
  $ref: "#/definitions/workflow",
  definitions: {
    workflow: {
      type: "object",
      additionalProperties: false,
      properties: { stages: { type: "array", items: { $ref: "#/definitions/stage" } } },
      required: ["stages"],
    },
    stage: {
      type: "object",
      additionalProperties: false,
      properties: {
        name: { type: "string", pattern: "^[A-Za-z0-9_.-]+$" },
        dependencies: {
          anyOf: [
            { type: "array", items: str },
            {
              type: "object",
              additionalProperties: false,
              properties: { dependency_type: { type: "string", enum: ["jsonpath_ready", "expressions_fulfilled"] }, expressions: { type: "array", items: str } },
              required: ["expressions"],
            },
          ],
        },
        scheduler: { $ref: "#/definitions/scheduler" },
      },
      required: ["name", "scheduler"],
    },
    scheduler: { allOf: [union("scheduler_type", schedulers), { if: { properties: { scheduler_type: { enum: ["jq-stage"] } } }, then: {}, else: exactlyOneBody }, { not: { required: ["batchsize", "partitionsize"] } }] },
    cases: {
      type: "array",
      items: { type: "object", additionalProperties: false, properties: { if: str, step: bodyKeys.step, workflow: bodyKeys.workflow }, required: ["if"], oneOf: [{ required: ["step"] }, { required: ["workflow"] }] },
    },
    packtivity: {
      type: "object",
      additionalProperties: false,
      properties: {
        process: { anyOf: [{ type: "null" }, { $ref: "#/definitions/process" }] },
        environment: { anyOf: [{ type: "null" }, { $ref: "#/definitions/environment" }] },
        publisher: { $ref: "#/definitions/publisher" },
      },
      required: ["process", "environment", "publisher"],
    },
    process: union("process_type", processTypes),
    environment: union("environment_type", environmentTypes),
    publisher: union("publisher_type", publisherTypes),
  },
};

let compiled: ReturnType<Ajv["compile"]> | undefined;

/** ajv errors of a workflow document (empty when it conforms). */
export function schemaErrors(doc: unknown): ErrorObject[] {
  compiled ??= new Ajv({ allErrors: true, discriminator: true, strict: false, verbose: true }).compile(yadageSchema);
  return compiled(doc) ? [] : [...(compiled.errors ?? [])];
}
