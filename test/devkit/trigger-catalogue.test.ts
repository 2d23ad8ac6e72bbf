import { describe, expect, it } from "vitest";
import { startEmulator } from "../../src/devkit/emulator/index.js";
import { trigger, triggerEvents } from "../../src/devkit/trigger/index.js";
import { eventTypeOfTrigger, stripeTriggerCatalogue } from "../support/stripe-cli.js";

/**
 * The events of `stripe trigger --help` with no built-in fixture, and why. Our fixtures speak the installed `stripe`
 * package's API version, so each of these needs what the emulator does not do at that version.
 */
const NOT_BUILT_IN: Record<string, string> = {
  "v1.billing.meter.error_report_triggered":
    "a meter event sent through Stripe's v2 API, which the emulator does not serve",
  "v1.billing.meter.no_meter_found": "a meter event sent through Stripe's v2 API, which the emulator does not serve",
};

/** How many fixtures run at once, each on an emulator of its own. */
const LANES = 4;

interface Outcome {
  trigger: string;
  /** Empty when the fixture completed and its event was emitted. */
  failure: string;
}

/** Each fixture runs on a fresh emulator, as on a new test account: what one leaves cannot help another. */
async function runBuiltIn(event: string): Promise<Outcome> {
  const emulator = await startEmulator({ port: 0 });
  try {
    await trigger(event, { apiBase: emulator.url, apiKey: "sk_test_trigger_catalogue" });
    const expected = eventTypeOfTrigger(event);
    const emitted: string[] = emulator.events().map((emittedEvent) => emittedEvent.type);
    if (emitted.includes(expected)) return { trigger: event, failure: "" };
    return { trigger: event, failure: `emitted no ${expected} (emitted: ${emitted.join(", ")})` };
  } catch (error) {
    return { trigger: event, failure: (error as Error).message };
  } finally {
    await emulator.close();
  }
}

describe("stripe-inbox trigger's built-in fixtures", () => {
  it("cover every event of `stripe trigger --help` but the named exclusions", async () => {
    const catalogue = await stripeTriggerCatalogue();
    const builtIn = new Set(triggerEvents());
    const missing = catalogue.filter((event) => !builtIn.has(event)).sort();
    expect(missing).toEqual(Object.keys(NOT_BUILT_IN).sort());
  });

  it("each complete on a fresh emulator and cause the event they are named for", async () => {
    const queue = triggerEvents();
    const outcomes: Outcome[] = [];
    await Promise.all(
      Array.from({ length: LANES }, async () => {
        for (let event = queue.shift(); event !== undefined; event = queue.shift())
          outcomes.push(await runBuiltIn(event));
      }),
    );
    const failures = outcomes.filter((outcome) => outcome.failure !== "").map((o) => `${o.trigger}: ${o.failure}`);
    expect(failures.sort()).toEqual([]);
    expect(outcomes).toHaveLength(triggerEvents().length);
  }, 240_000);
});
