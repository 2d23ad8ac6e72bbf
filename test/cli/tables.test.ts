import { describe, expect, it } from "vitest";
import { relativeTime } from "../../src/cli/relative-time.js";
import { formatTable } from "../../src/cli/table.js";

describe("tables for people", () => {
  it("aligns columns under a header, leaves out empty columns and trailing spaces", () => {
    const table = formatTable(
      [
        { id: "evt_1", type: "invoice.paid", account: null, status: "dead" },
        { id: "evt_22", type: "customer.created", account: undefined, status: "succeeded" },
      ],
      ["id", "type", "account", "status"],
    );
    expect(table).toBe(
      [
        "id      type              status",
        "evt_1   invoice.paid      dead",
        "evt_22  customer.created  succeeded",
      ].join("\n"),
    );
  });

  it("says times relative to now, and the date past a month", () => {
    const now = new Date("2026-03-01T12:00:00Z");
    expect(relativeTime("2026-03-01T11:59:58Z", now)).toBe("just now");
    expect(relativeTime("2026-03-01T11:59:18Z", now)).toBe("42 s ago");
    expect(relativeTime("2026-03-01T11:57:00Z", now)).toBe("3 min ago");
    expect(relativeTime("2026-03-01T07:00:00Z", now)).toBe("5 h ago");
    expect(relativeTime("2026-02-19T12:00:00Z", now)).toBe("10 d ago");
    expect(relativeTime("2026-03-01T12:03:00Z", now)).toBe("in 3 min");
    expect(relativeTime("2025-12-01T12:00:00Z", now)).toBe("2025-12-01");
    expect(relativeTime(null, now)).toBe("");
  });
});
