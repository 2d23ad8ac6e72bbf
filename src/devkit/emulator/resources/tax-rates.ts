import type Stripe from "stripe";
import type { EmulatorCore, Route } from "../core.js";
import { invalidParam } from "../errors.js";
import { createdFilter, paginate } from "../list.js";
import { mergeMetadata, nullableString, optionalBoolean, optionalString, requireString } from "../params.js";
import { stripeId } from "../store.js";

/** `/v1/tax_rates`: create, retrieve, update (never the percentage: Stripe archives and recreates), list. */
export function taxRateRoutes(core: EmulatorCore): Route[] {
  const get = (id: string) => core.store.get<Stripe.TaxRate>("tax_rate", id);
  return [
    {
      method: "POST",
      pattern: "/v1/tax_rates",
      handler: ({ params, request }) => {
        const percentage = Number(requireString(params, "percentage"));
        if (!(percentage >= 0 && percentage <= 100)) {
          throw invalidParam("percentage", "percentage must be between 0 and 100.");
        }
        const inclusive = optionalBoolean(params, "inclusive");
        if (inclusive === undefined) throw invalidParam("inclusive", "Missing required param: inclusive.");
        const rate = core.store.insert<Stripe.TaxRate>({
          id: stripeId("txr"),
          object: "tax_rate",
          active: optionalBoolean(params, "active") ?? true,
          country: optionalString(params, "country") ?? null,
          created: core.now(),
          description: nullableString(params, "description") ?? null,
          display_name: requireString(params, "display_name"),
          effective_percentage: percentage,
          flat_amount: null,
          inclusive,
          jurisdiction: optionalString(params, "jurisdiction") ?? null,
          jurisdiction_level: null,
          livemode: false,
          metadata: mergeMetadata(params),
          percentage,
          rate_type: "percentage",
          state: optionalString(params, "state") ?? null,
          tax_type: (optionalString(params, "tax_type") ?? null) as Stripe.TaxRate.TaxType | null,
        });
        core.events.emit("tax_rate.created", rate, request);
        return rate;
      },
    },
    { method: "GET", pattern: "/v1/tax_rates/:id", handler: ({ path }) => get(path.id as string) },
    {
      method: "POST",
      pattern: "/v1/tax_rates/:id",
      handler: ({ path, params, request }) => {
        const rate = get(path.id as string);
        const active = optionalBoolean(params, "active");
        const displayName = optionalString(params, "display_name");
        const description = nullableString(params, "description");
        const previous = core.store.update(rate, {
          metadata: mergeMetadata(params, rate.metadata ?? {}),
          ...(active !== undefined && { active }),
          ...(displayName !== undefined && { display_name: displayName }),
          ...(description !== undefined && { description }),
        });
        if (Object.keys(previous).length > 0) core.events.emit("tax_rate.updated", rate, request, previous);
        return rate;
      },
    },
    {
      method: "GET",
      pattern: "/v1/tax_rates",
      handler: ({ params, url }) => {
        const active = optionalBoolean(params, "active");
        const inclusive = optionalBoolean(params, "inclusive");
        const inRange = createdFilter(params);
        const rates = core.store
          .all<Stripe.TaxRate>("tax_rate")
          .filter((rate) => (active === undefined || rate.active === active) && inRange(rate.created))
          .filter((rate) => inclusive === undefined || rate.inclusive === inclusive);
        return paginate(rates, params, url);
      },
    },
  ];
}
