import type Stripe from "stripe";
import { startEmulator } from "../devkit/emulator/index.js";
import { schemaType, stripeSchema } from "../devkit/emulator/schema/load.js";
import { trigger, triggerEvents } from "../devkit/trigger/index.js";
import { ConfigError, InboxError } from "../errors.js";

/**
 * The event types `send-test-event` can send: those with a built-in trigger fixture named for the event it causes.
 * A few of the Stripe CLI's trigger names are not event types (`issuing_card.created.eu`, `subscription.payment_failed`).
 */
export function testEventTypes(): string[] {
  const types = stripeEventTypes();
  return triggerEvents().filter((name) => types.has(name));
}

/** Every event type the installed `stripe` package knows: the values `enabled_events` takes, but `*`. */
function stripeEventTypes(): Set<string> {
  const schema = stripeSchema();
  const create = schema.endpoints.find(({ method, path }) => method === "POST" && path === "/v1/webhook_endpoints");
  const params = create?.params;
  const field =
    params && typeof params === "object" && "ref" in params
      ? schemaType(schema, params).fields.enabled_events
      : undefined;
  const values =
    field && typeof field === "object" && "array" in field && typeof field.array === "object" && "enum" in field.array
      ? field.array.enum
      : [];
  return new Set(values.filter((value): value is string => typeof value === "string" && value !== "*"));
}

/**
 * A realistic event of `type`: its trigger fixture runs against a private in-process emulator, and the last event of
 * that type the emulator emitted is taken, so its object is the one Stripe would send (an invoice for invoice.paid).
 */
export async function testEventOfType(type: string): Promise<Stripe.Event> {
  const known = testEventTypes();
  if (!known.includes(type)) {
    throw new ConfigError(
      `No test event of type "${type}": \`stripe-inbox send-test-event --list\` lists the ${known.length} known types.`,
    );
  }
  const emulator = await startEmulator({ port: 0 });
  try {
    await trigger(type, { apiBase: emulator.url, apiKey: "sk_test_send_test_event" });
    const event = emulator.events().findLast((emitted) => emitted.type === type);
    if (!event) throw new InboxError("fixture_without_event", 500, `The ${type} fixture emitted no ${type} event.`);
    return event;
  } finally {
    await emulator.close();
  }
}
