import { describe, expect, it } from "vitest";
import { judgeClock } from "../../src/cli/doctor/clock.js";
import { compareCoverage, covers, overlaps } from "../../src/cli/doctor/event-coverage.js";
import { checkApiKey, checkWebhookSecrets } from "../../src/cli/doctor/secret-checks.js";

describe("enabled events against handlers, wildcards on both sides", () => {
  it("matches exact types, dotted prefixes and * in both directions", () => {
    expect(overlaps("invoice.*", "invoice.paid")).toBe(true);
    expect(overlaps("invoice.paid", "invoice.*")).toBe(true);
    expect(overlaps("customer.*", "customer.subscription.*")).toBe(true);
    expect(overlaps("*", "charge.refunded")).toBe(true);
    expect(overlaps("invoice.*", "invoiceitem.created")).toBe(false);
    expect(covers("invoice.*", "invoice.paid")).toBe(true);
    expect(covers("invoice.paid", "invoice.*")).toBe(false);
    expect(covers("customer.*", "customer.subscription.*")).toBe(true);
    expect(covers("invoice.*", "*")).toBe(false);
    expect(covers("*", "*")).toBe(true);
  });

  it("names what is enabled but unhandled and what is handled but never enabled", () => {
    expect(compareCoverage(["invoice.paid", "customer.created"], ["invoice.*", "charge.refunded"])).toEqual({
      unhandled: ["customer.created"],
      notEnabled: ["charge.refunded"],
    });
  });

  it("counts * enabled as unhandled unless a * handler takes everything", () => {
    expect(compareCoverage(["*"], ["invoice.*"])).toEqual({ unhandled: ["*"], notEnabled: [] });
    expect(compareCoverage(["*"], ["*"])).toEqual({ unhandled: [], notEnabled: [] });
  });

  it("takes an invoice.* handler with only invoice.paid enabled as a choice, and a * handler as covering all", () => {
    expect(compareCoverage(["invoice.paid"], ["invoice.*"])).toEqual({ unhandled: [], notEnabled: [] });
    expect(compareCoverage(["invoice.paid", "charge.refunded"], ["*"])).toEqual({ unhandled: [], notEnabled: [] });
  });
});

describe("clock skew", () => {
  const reading = (offsetMs: number, roundTripMs = 20, resolutionMs = 0) => ({
    remote: new Date(1_000_000 + roundTripMs / 2 + offsetMs),
    sentAt: 1_000_000,
    answeredAt: 1_000_000 + roundTripMs,
    resolutionMs,
  });

  it("is ok within a few seconds, warns past 5 s, and fails past the signature tolerance", () => {
    expect(judgeClock("clock", "the database", reading(800), 300).status).toBe("ok");
    const ahead = judgeClock("clock", "the database", reading(-42_000), 300);
    expect(ahead).toMatchObject({ status: "warn" });
    expect(ahead.message).toBe("this machine's clock is 42.0 s ahead of the database; sync it (NTP)");
    const behind = judgeClock("clock", "Stripe's", reading(301_500), 300);
    expect(behind.status).toBe("fail");
    expect(behind.message).toMatch(/301\.5 s behind Stripe's, beyond the 300 s signature tolerance/);
  });

  it("does not call a skew within the measurement's uncertainty a problem", () => {
    // A Date header counts whole seconds and the round trip took 4 s: 6 s apart may be 3 s.
    expect(judgeClock("clock", "Stripe's", reading(6_000, 4_000, 1_000), 300).status).toBe("ok");
    expect(judgeClock("clock", "Stripe's", reading(6_000, 20, 0), 300).status).toBe("warn");
  });
});

describe("the webhook secret's form", () => {
  const facts = { devSecret: null, stored: 0, dataDir: "./.stripe-inbox" };

  it("names an API key given as the webhook secret, without printing it", () => {
    for (const [key, kind] of [
      ["sk_test_51AbCdEf", "a secret API key (sk_test_...)"],
      ["rk_live_51AbCdEf", "a restricted API key (rk_live_...)"],
      ["pk_test_51AbCdEf", "a publishable key (pk_test_...)"],
    ] as const) {
      const result = checkWebhookSecrets({ ...facts, configured: [key] });
      expect(result.status).toBe("fail");
      expect(result.message).toContain(`STRIPE_WEBHOOK_SECRET is ${kind}, not a webhook signing secret`);
      expect(result.message).not.toContain("51AbCdEf");
    }
  });

  it("fails a secret without whsec_, and says which of several", () => {
    const result = checkWebhookSecrets({ ...facts, configured: ["whsec_old", "abc123"] });
    expect(result.status).toBe("fail");
    expect(result.message).toMatch(/^STRIPE_WEBHOOK_SECRET's value 2 does not start with whsec_/);
    expect(result.message).not.toContain("abc123");
    expect(checkWebhookSecrets({ ...facts, configured: ['"whsec_abc"'] }).message).toMatch(/wrapped in quotes/);
  });

  it("accepts whsec_ secrets, and stored ones in place of the variable", () => {
    expect(checkWebhookSecrets({ ...facts, configured: ["whsec_a", "whsec_b"] })).toMatchObject({
      status: "ok",
      message: "2 in STRIPE_WEBHOOK_SECRET, of the whsec_ form",
    });
    expect(checkWebhookSecrets({ ...facts, configured: [], stored: 1 }).status).toBe("ok");
    expect(checkWebhookSecrets({ ...facts, configured: [], stored: 0 }).status).toBe("warn");
  });

  it("checks STRIPE_API_KEY the other way round", () => {
    expect(checkApiKey("sk_test_abc")).toMatchObject({ status: "ok", message: expect.stringMatching(/test mode/) });
    expect(checkApiKey("whsec_abc").status).toBe("fail");
    expect(checkApiKey("pk_live_abc").status).toBe("fail");
  });
});
