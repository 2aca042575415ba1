import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
// @ts-expect-error plain ESM script without types
import { generateValidators } from "../../scripts/schema-validators.mjs";
import * as schemas from "../../src/stats/schema.js";

describe("ahead-of-time compiled workspace schemas", () => {
  it("match the schemas in src/stats/schema.ts (regenerate with `npx tsx scripts/schema-validators.mjs`)", () => {
    const committed = readFileSync(new URL("../../src/stats/schema-validators.generated.ts", import.meta.url), "utf8");
    expect(committed === generateValidators(schemas)).toBe(true);
  });

  it("reject what the schema forbids, with the JSON path", () => {
    expect(() => schemas.validateAgainst(schemas.WORKSPACE_SCHEMA, { channels: [], measurements: [], observations: [], version: "1.0.0" }, "WORKSPACE_INVALID", "workspace", "w.json")).toThrow(/\$\.channels/);
    expect(() => schemas.validateAgainst(schemas.JSONPATCH_SCHEMA, [{ op: "frobnicate", path: "/x" }], "PATCH_INVALID", "patch")).toThrow(/must be one of/);
  });
});
