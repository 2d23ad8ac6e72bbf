import { describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/devkit/emulator/index.js";
import { CLI_API_KEY, eventTypeOfTrigger, runStripeCli, stripeTriggerCatalogue } from "../support/stripe-cli.js";

/** How many of the catalogue pass today: the test fails when fewer do. Raise it with the emulator. */
const CATALOGUE_FLOOR = 118;
/** How many triggers run at once. */
const LANES = 4;
const TRIGGER_TIMEOUT_MS = 20_000;
/**
 * The CLI sends no `Stripe-Version`, so its requests run at the account's version; its fixtures are written for
 * accounts from before 2025-03-31.basil (they still send `payment_method_types`, and `coupon` on promotion codes).
 */
const ACCOUNT_API_VERSION = "2025-02-24.acacia";

interface Outcome {
  trigger: string;
  passed: boolean;
  /** Why it failed: the CLI's error, or the event it expected and did not see. */
  reason: string;
}

/**
 * Each trigger runs on a new account: what one trigger leaves cannot help another. The account is funded first, as
 * Stripe's `balance_insufficient` error tells a developer to do: the transfer triggers charge 1,000 and transfer
 * 1,000, which the fee makes more than a new account holds, on Stripe as here.
 */
async function runTrigger(trigger: string): Promise<Outcome> {
  const emulator = await startEmulator({ port: 0, apiVersion: ACCOUNT_API_VERSION });
  try {
    await fundAvailableBalance(emulator);
    return await triggerOn(emulator, trigger);
  } finally {
    await emulator.close();
  }
}

/** A charge whose funds skip pending and land in the available balance (Stripe's 4000000000000077 test card). */
async function fundAvailableBalance(emulator: RunningEmulator): Promise<void> {
  const response = await fetch(`${emulator.url}/v1/payment_intents`, {
    method: "POST",
    headers: { authorization: `Bearer ${CLI_API_KEY}`, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      amount: "100000",
      currency: "usd",
      payment_method: "pm_card_bypassPending",
      "payment_method_types[]": "card",
      confirm: "true",
    }),
  });
  if (response.status !== 200) throw new Error(`funding the account failed: ${await response.text()}`);
}

async function triggerOn(emulator: RunningEmulator, trigger: string): Promise<Outcome> {
  const since = emulator.events().length;
  const result = await runStripeCli(
    ["trigger", trigger, "--api-base", emulator.url, "--api-key", CLI_API_KEY],
    TRIGGER_TIMEOUT_MS,
  );
  const expected = eventTypeOfTrigger(trigger);
  const emitted: string[] = emulator
    .events()
    .slice(since)
    .map((event) => event.type);
  if (result.timedOut) return { trigger, passed: false, reason: `timed out after ${TRIGGER_TIMEOUT_MS} ms` };
  if (result.code !== 0) return { trigger, passed: false, reason: failureOf(result.output) };
  if (!emitted.includes(expected)) {
    return { trigger, passed: false, reason: `succeeded but emitted no ${expected} (emitted: ${emitted.join(", ")})` };
  }
  return { trigger, passed: true, reason: "" };
}

/** The CLI's `Trigger failed: ...` with the error's message, on one line. */
function failureOf(output: string): string {
  const at = output.indexOf("Trigger failed:");
  const failure = at < 0 ? output : output.slice(at);
  const message = /"message":\s*"((?:[^"\\]|\\.)*)"/.exec(failure)?.[1];
  const request = /Trigger failed: (?:Request failed, status=(\d+))?/.exec(failure);
  return message ? `${request?.[1] ?? ""} ${message}`.trim() : failure.trim().split("\n").slice(0, 3).join(" ");
}

describe("the Stripe CLI's trigger catalogue against the emulator", () => {
  it("completes at least the known share of `stripe trigger --help`'s events, each emitting its event", async () => {
    const catalogue = await stripeTriggerCatalogue();
    expect(catalogue.length).toBeGreaterThan(100);
    const queue = [...catalogue];
    const outcomes: Outcome[] = [];
    await Promise.all(
      Array.from({ length: LANES }, async () => {
        for (let trigger = queue.shift(); trigger !== undefined; trigger = queue.shift()) {
          outcomes.push(await runTrigger(trigger));
        }
      }),
    );
    const failed = outcomes.filter((outcome) => !outcome.passed).sort((a, b) => a.trigger.localeCompare(b.trigger));
    const passed = outcomes.length - failed.length;
    console.log(
      [
        `stripe trigger catalogue: ${passed} of ${catalogue.length} passed against the emulator`,
        ...failed.map((outcome) => `  ${outcome.trigger}: ${outcome.reason}`),
      ].join("\n"),
    );
    expect(outcomes).toHaveLength(catalogue.length);
    expect(passed).toBeGreaterThanOrEqual(CATALOGUE_FLOOR);
  });
});
