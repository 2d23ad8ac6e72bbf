import { ConfigError } from "../../errors.js";
import { editFixture, type FixtureEdits } from "./edits.js";
import { type FixtureFile, loadFixtureFile } from "./fixture.js";
import { BILLING_TRIGGERS } from "./fixtures/billing.js";
import { CUSTOMER_TRIGGERS } from "./fixtures/customers.js";
import { PAYMENT_TRIGGERS } from "./fixtures/payments.js";
import { type FixtureResponse, runFixture } from "./run.js";

const BUILT_IN: Record<string, FixtureFile> = { ...PAYMENT_TRIGGERS, ...CUSTOMER_TRIGGERS, ...BILLING_TRIGGERS };

/** The events `trigger` can cause without a fixture file, sorted. */
export function triggerEvents(): string[] {
  return Object.keys(BUILT_IN).sort();
}

export function builtInFixture(event: string): FixtureFile {
  const fixture = BUILT_IN[event];
  if (!fixture) {
    throw new ConfigError(
      `No built-in fixture for "${event}": pass --fixture FILE, or one of: ${triggerEvents().join(", ")}.`,
    );
  }
  return structuredClone(fixture);
}

export interface TriggerOptions extends FixtureEdits {
  apiBase: string;
  apiKey: string;
  /** A Stripe CLI fixture file to run instead of the built-in one. */
  fixturePath?: string;
  onRequest?: (name: string) => void;
  env?: Record<string, string | undefined>;
}

/** Makes the API calls that cause `event`, as `stripe trigger` does; the API then emits and delivers the events. */
export async function trigger(event: string | undefined, options: TriggerOptions): Promise<FixtureResponse[]> {
  if (event === undefined && options.fixturePath === undefined)
    throw new ConfigError("Name an event, or pass --fixture FILE.");
  const base =
    options.fixturePath === undefined ? builtInFixture(event as string) : loadFixtureFile(options.fixturePath);
  const fixture = editFixture(base, options);
  return runFixture(fixture, {
    apiBase: options.apiBase,
    apiKey: options.apiKey,
    ...(options.env && { env: options.env }),
    onRequest: (request) => options.onRequest?.(request.name),
  });
}
