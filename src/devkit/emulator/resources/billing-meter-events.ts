import { createHash, randomUUID } from "node:crypto";
import type Stripe from "stripe";
import type { EmulatorCore, Route } from "../core.js";
import { invalidParam, missingParam } from "../errors.js";
import { paginate } from "../list.js";
import {
  optionalInteger,
  optionalObject,
  optionalString,
  type Params,
  requireInteger,
  requireString,
} from "../params.js";
import type { StripeObject } from "../store.js";

const STORED_EVENT = "emulator.billing_meter_event";

/** A meter event has no id of its own; it is kept under its identifier, with whether an adjustment canceled it. */
interface StoredMeterEvent extends StripeObject {
  object: typeof STORED_EVENT;
  event: Stripe.Billing.MeterEvent;
  canceled: boolean;
}

const WINDOW_SECONDS = { hour: 3600, day: 86_400 } as const;

/**
 * `/v1/billing/meter_events` (usage reported for a customer), `/v1/billing/meter_event_adjustments` (one canceled by
 * its identifier) and `/v1/billing/meters/:id/event_summaries` (what a meter makes of them over a time range).
 */
export function billingMeterEventRoutes(core: EmulatorCore): Route[] {
  const storedId = (identifier: string) => `${STORED_EVENT}:${identifier}`;
  return [
    {
      method: "POST",
      pattern: "/v1/billing/meter_events",
      handler: ({ params }) => {
        const payload = stringMap(params, "payload");
        const identifier = optionalString(params, "identifier") ?? randomUUID();
        // Stripe keeps identifiers unique for at least a day, so a retried report is not counted twice.
        if (core.store.find(storedId(identifier))) {
          throw invalidParam("identifier", `An event already exists with identifier ${identifier}.`);
        }
        const event: Stripe.Billing.MeterEvent = {
          object: "billing.meter_event",
          created: core.now(),
          event_name: requireString(params, "event_name"),
          identifier,
          livemode: false,
          payload,
          timestamp: optionalInteger(params, "timestamp") ?? core.now(),
        };
        core.store.insert<StoredMeterEvent>({ id: storedId(identifier), object: STORED_EVENT, event, canceled: false });
        return event;
      },
    },
    {
      method: "POST",
      pattern: "/v1/billing/meter_event_adjustments",
      handler: ({ params }) => {
        const eventName = requireString(params, "event_name");
        const identifier = optionalString(optionalObject(params, "cancel") ?? {}, "identifier");
        if (identifier === undefined) throw missingParam("cancel[identifier]");
        const stored = core.store.find(storedId(identifier)) as StoredMeterEvent | undefined;
        if (stored && stored.event.event_name === eventName) core.store.update(stored, { canceled: true });
        const adjustment: Stripe.Billing.MeterEventAdjustment = {
          object: "billing.meter_event_adjustment",
          cancel: { identifier },
          event_name: eventName,
          livemode: false,
          status: "pending",
          type: "cancel",
        };
        return adjustment;
      },
    },
    {
      method: "GET",
      pattern: "/v1/billing/meters/:id/event_summaries",
      handler: ({ path, params, url }) => {
        const meter = core.store.get<Stripe.Billing.Meter>("billing.meter", path.id as string, "id");
        const customer = requireString(params, "customer");
        const start = requireInteger(params, "start_time");
        const end = requireInteger(params, "end_time");
        if (end <= start) throw invalidParam("end_time", "end_time must be after start_time.");
        const window = optionalString(params, "value_grouping_window") as keyof typeof WINDOW_SECONDS | undefined;
        const events = core.store
          .all<StoredMeterEvent>(STORED_EVENT)
          .map((stored) => (stored.canceled ? undefined : stored.event))
          .filter(
            (event): event is Stripe.Billing.MeterEvent =>
              event !== undefined &&
              event.event_name === meter.event_name &&
              event.payload[meter.customer_mapping.event_payload_key] === customer,
          );
        const step = window === undefined ? end - start : WINDOW_SECONDS[window];
        const summaries: Stripe.Billing.MeterEventSummary[] = [];
        for (let from = start; from < end; from += step) {
          const to = Math.min(from + step, end);
          const inWindow = events.filter((event) => event.timestamp >= from && event.timestamp < to);
          summaries.push({
            id: summaryId(meter.id, customer, from, to),
            object: "billing.meter_event_summary",
            aggregated_value: aggregate(meter, inWindow),
            end_time: to,
            livemode: false,
            meter: meter.id,
            start_time: from,
          });
        }
        return paginate(summaries.reverse(), params, url);
      },
    },
  ];
}

/** `sum` adds the events' values, `count` counts the events, `last` keeps the value of the latest one. */
function aggregate(meter: Stripe.Billing.Meter, events: Stripe.Billing.MeterEvent[]): number {
  const quantity = (event: Stripe.Billing.MeterEvent) =>
    Number(event.payload[meter.value_settings.event_payload_key] ?? 0);
  if (meter.default_aggregation.formula === "count") return events.length;
  if (meter.default_aggregation.formula === "last") {
    const latest = [...events].sort((a, b) => a.timestamp - b.timestamp).at(-1);
    return latest === undefined ? 0 : quantity(latest);
  }
  return events.reduce((sum, event) => sum + quantity(event), 0);
}

/** The same window of the same meter and customer keeps its id, so pages of summaries can be walked by cursor. */
function summaryId(meter: string, customer: string, from: number, to: number): string {
  const digest = createHash("sha256").update(`${meter}:${customer}:${from}:${to}`).digest("base64url");
  return `mtrusg_${digest.replace(/[-_]/g, "").slice(0, 24)}`;
}

function stringMap(params: Params, name: string): Record<string, string> {
  const map = optionalObject(params, name);
  if (map === undefined) throw missingParam(name);
  const strings: Record<string, string> = {};
  for (const [key, value] of Object.entries(map)) {
    if (typeof value !== "string") throw invalidParam(`${name}[${key}]`, "Invalid string");
    strings[key] = value;
  }
  return strings;
}
