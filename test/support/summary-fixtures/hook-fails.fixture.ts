import { beforeAll, describe, it } from "vitest";

describe("a set-up that fails", () => {
  beforeAll(() => {
    throw new Error("no browser");
  });
  it("would run first", () => {});
  it("would run second", () => {});
});
