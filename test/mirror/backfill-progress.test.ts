import { describe, expect, it } from "vitest";
import { printProgress } from "../../src/cli/backfill.js";

describe("backfill's progress lines", () => {
  const steps = [
    { type: "customers", written: 100, done: false, resumed: true },
    { type: "customers", written: 150, done: true, resumed: true },
  ];

  it("rewrite one line per type in place on a terminal", () => {
    let out = "";
    const print = printProgress(true, (text) => {
      out += text;
    });
    for (const step of steps) print(step);
    expect(out).toBe("\r\x1b[2Kcustomers: 100 written (resumed)\r\x1b[2Kcustomers: 150 written (resumed), done\n");
  });

  it("are plain lines elsewhere", () => {
    let out = "";
    const print = printProgress(false, (text) => {
      out += text;
    });
    for (const step of steps) print(step);
    expect(out).toBe("customers: 100 written (resumed)\ncustomers: 150 written (resumed), done\n");
  });
});
