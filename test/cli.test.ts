import { describe, expect, it } from "vitest";
import { HepflowError, isHepflowError } from "../src/util/index.js";

describe("HepflowError", () => {
  it("names the file, object and offset in its message", () => {
    const e = new HepflowError("ROOT_TRUNCATED", "file ends inside a key", { file: "a.root", object: "Events", offset: 100 });
    expect(e.message).toBe("a.root: Events: byte 100: file ends inside a key");
    expect(isHepflowError(e, "ROOT_TRUNCATED")).toBe(true);
    expect(isHepflowError(new Error("x"))).toBe(false);
  });
});
