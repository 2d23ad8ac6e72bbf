import type Stripe from "stripe";
import { type RunningEmulator, startEmulator } from "../../src/devkit/emulator/index.js";
import { createStripeClient } from "../../src/stripe-api.js";
import { startInboxServer } from "../support/servers.js";
import { dropSchema, POSTGRES_URL, tempDir, uniqueSchema } from "../support/stores.js";

export interface EmulatorClient {
  emulator: RunningEmulator;
  stripe: Stripe;
}

/** An emulator on a free port and the official client pointed at it, as our features build it. */
export async function startEmulatorClient(): Promise<EmulatorClient> {
  const emulator = await startEmulator({ port: 0, deliveryRetrySchedule: [20, 40, 80] });
  return { emulator, stripe: createStripeClient({ apiKey: "sk_test_devkit", apiBase: emulator.url }, "test") };
}

/** The types of the events emitted after the first `since`, oldest first. */
export function eventTypesSince(emulator: RunningEmulator, since: number): string[] {
  return emulator
    .events()
    .slice(since)
    .map((event) => event.type);
}

/** The types of the events `calls` made the emulator emit, oldest first. */
export async function typesEmittedBy(emulator: RunningEmulator, calls: () => Promise<unknown>): Promise<string[]> {
  const since = emulator.events().length;
  await calls();
  return eventTypesSince(emulator, since);
}

/** A real stripe-inbox server on Postgres, holding a new endpoint's secret as a user would after `register`. */
export async function inboxWithEndpoint(
  stripe: Stripe,
  enabledEvents: Stripe.WebhookEndpointCreateParams.EnabledEvent[] = ["*"],
): Promise<TestInbox> {
  // The endpoint's secret exists only once the endpoint does, so create it first and point it at the inbox after.
  const endpoint = await stripe.webhookEndpoints.create({ url: "http://127.0.0.1:9/", enabled_events: enabledEvents });
  const inbox = await inboxWithSecret(endpoint.secret as string);
  await stripe.webhookEndpoints.update(endpoint.id, { url: inbox.url });
  return inbox;
}

/** A real stripe-inbox server on Postgres (a schema of its own), verifying with `secret`. */
export async function inboxWithSecret(secret: string): Promise<TestInbox> {
  const schema = uniqueSchema();
  const running = await startInboxServer({
    dataDir: tempDir(),
    database: POSTGRES_URL,
    schema,
    secret,
    workers: false,
  });
  return {
    url: running.url,
    async deliveries() {
      const store = await running.inbox.store();
      return store.query<StoredDelivery>(
        `SELECT d.event_id, d.outcome, e.type FROM "${schema}".deliveries d
           LEFT JOIN "${schema}".events e ON e.id = d.event_id ORDER BY d.id`,
      );
    },
    async close() {
      await running.close();
      await dropSchema(schema);
    },
  };
}

export interface StoredDelivery {
  event_id: string;
  outcome: string;
  type: string;
}

export interface TestInbox {
  url: string;
  /** What the inbox recorded, in arrival order. */
  deliveries(): Promise<StoredDelivery[]>;
  close(): Promise<void>;
}
