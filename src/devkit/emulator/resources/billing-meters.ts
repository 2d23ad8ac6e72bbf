import type Stripe from "stripe";
import type { EmulatorCore, Route } from "../core.js";
import { invalidParam, StripeApiError } from "../errors.js";
import type { RequestInfo } from "../events.js";
import { paginate } from "../list.js";
import { optionalObject, optionalString, requireString } from "../params.js";
import { stripeId } from "../store.js";

/**
 * `/v1/billing/meters`: what usage-based prices count. A meter sums, counts or keeps the last of the meter events
 * named by its `event_name`, per customer; deactivating it stops it counting, and each change has its
 * `billing.meter.*` event.
 */
export function billingMeterRoutes(core: EmulatorCore): Route[] {
  const get = (id: string) => core.store.get<Stripe.Billing.Meter>("billing.meter", id, "id");
  const setStatus = (meter: Stripe.Billing.Meter, status: "active" | "inactive", request: RequestInfo) => {
    if (meter.status === status) {
      throw new StripeApiError(400, "invalid_request_error", "", `This meter is already ${status}.`);
    }
    const previous = core.store.update(meter, {
      status,
      status_transitions: { deactivated_at: status === "inactive" ? core.now() : null },
      updated: core.now(),
    });
    core.events.emit(
      status === "inactive" ? "billing.meter.deactivated" : "billing.meter.reactivated",
      meter,
      request,
      previous,
    );
    return meter;
  };
  return [
    {
      method: "POST",
      pattern: "/v1/billing/meters",
      handler: ({ params, request }) => {
        const eventName = requireString(params, "event_name");
        if (core.store.all<Stripe.Billing.Meter>("billing.meter").some((meter) => meter.event_name === eventName)) {
          throw invalidParam("event_name", `A meter with the event_name '${eventName}' already exists.`);
        }
        const aggregation = optionalObject(params, "default_aggregation") ?? {};
        const mapping = optionalObject(params, "customer_mapping");
        const valueSettings = optionalObject(params, "value_settings");
        const now = core.now();
        const meter = core.store.insert<Stripe.Billing.Meter>({
          id: stripeId("mtr"),
          object: "billing.meter",
          created: now,
          // Stripe's defaults: the customer's id in `stripe_customer_id`, the quantity in `value`.
          customer_mapping: {
            event_payload_key: (mapping && optionalString(mapping, "event_payload_key")) ?? "stripe_customer_id",
            type: "by_id",
          },
          default_aggregation: { formula: requireString(aggregation, "formula") },
          display_name: requireString(params, "display_name"),
          event_name: eventName,
          event_time_window:
            (optionalString(params, "event_time_window") as Stripe.Billing.Meter.EventTimeWindow | undefined) ?? null,
          livemode: false,
          status: "active",
          status_transitions: { deactivated_at: null },
          updated: now,
          value_settings: {
            event_payload_key: (valueSettings && optionalString(valueSettings, "event_payload_key")) ?? "value",
          },
        });
        core.events.emit("billing.meter.created", meter, request);
        return meter;
      },
    },
    { method: "GET", pattern: "/v1/billing/meters/:id", handler: ({ path }) => get(path.id as string) },
    {
      method: "POST",
      pattern: "/v1/billing/meters/:id",
      handler: ({ path, params, request }) => {
        const meter = get(path.id as string);
        const displayName = optionalString(params, "display_name");
        if (displayName === undefined || displayName === meter.display_name) return meter;
        const previous = core.store.update(meter, { display_name: displayName, updated: core.now() });
        core.events.emit("billing.meter.updated", meter, request, previous);
        return meter;
      },
    },
    {
      method: "POST",
      pattern: "/v1/billing/meters/:id/deactivate",
      handler: ({ path, request }) => setStatus(get(path.id as string), "inactive", request),
    },
    {
      method: "POST",
      pattern: "/v1/billing/meters/:id/reactivate",
      handler: ({ path, request }) => setStatus(get(path.id as string), "active", request),
    },
    {
      method: "GET",
      pattern: "/v1/billing/meters",
      handler: ({ params, url }) => {
        const status = optionalString(params, "status");
        const meters = core.store
          .query<Stripe.Billing.Meter>("billing.meter")
          .filter((meter) => status === undefined || meter.status === status);
        return paginate(meters, params, url);
      },
    },
  ];
}
