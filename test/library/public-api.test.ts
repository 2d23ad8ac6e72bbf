import { describe, expect, it } from "vitest";
import * as errors from "../../src/errors.js";
import * as api from "../../src/index.js";

describe("the package entry", () => {
  it("exports the public API and no internals", () => {
    expect(Object.keys(api).sort()).toEqual(
      [
        "AdminAccessError",
        "ConfigError",
        "INBOX_ERROR_CODES",
        "InboxError",
        "PayloadError",
        "ReceiverBusyError",
        "SignatureError",
        "StoreUnavailableError",
        "StripeRequestError",
        "TriggerRequestError",
        "configFromEnv",
        "createDashboard",
        "createInbox",
        "createInboxServer",
        "createLogger",
        "isInboxErrorCode",
        "sign",
        "startEmulator",
        "verifySignature",
      ].sort(),
    );
  });

  it("exports every error class a user can catch, each an InboxError with a code from the closed list", () => {
    const internal = new Set(["RunLostError"]);
    const classes = Object.entries(errors).filter(
      ([name, value]) => typeof value === "function" && name.endsWith("Error") && !internal.has(name),
    );
    expect(classes.map(([name]) => name).filter((name) => !(name in api))).toEqual([]);
    const samples = [
      new api.SignatureError("signature_mismatch", "m"),
      new api.PayloadError("payload_malformed", "m"),
      new api.ConfigError("m"),
      new api.StoreUnavailableError("down"),
      new api.ReceiverBusyError("busy"),
    ];
    for (const error of samples) {
      expect(error).toBeInstanceOf(api.InboxError);
      expect(api.isInboxErrorCode(error.code)).toBe(true);
    }
    expect(api.isInboxErrorCode("something_else")).toBe(false);
  });
});
