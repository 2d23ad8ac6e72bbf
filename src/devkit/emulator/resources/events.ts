import type Stripe from "stripe";
import type { EmulatorCore, Route } from "../core.js";
import { invalidParam } from "../errors.js";
import { eventTypeMatches } from "../events.js";
import { createdFilter, paginate } from "../list.js";
import { optionalBoolean, optionalString, stringList } from "../params.js";

/** `/v1/events`: list with `type` (with `*`), `types[]`, `created`, `delivery_success`; retrieve. */
export function eventRoutes(core: EmulatorCore): Route[] {
  return [
    { method: "GET", pattern: "/v1/events/:id", handler: ({ path }) => core.store.get("event", path.id as string) },
    {
      method: "GET",
      pattern: "/v1/events",
      handler: ({ params, url }) => {
        const type = optionalString(params, "type");
        const types = stringList(params, "types");
        if (type !== undefined && types !== undefined) {
          throw invalidParam("types", "You cannot specify both `type` and `types`.");
        }
        if (types && types.length > 20) throw invalidParam("types", "You may specify at most 20 types.");
        const patterns = types ?? (type === undefined ? undefined : [type]);
        const inRange = createdFilter(params);
        const delivered = optionalBoolean(params, "delivery_success");
        const events = core.store
          .query<Stripe.Event>("event")
          .filter(
            (event) => patterns === undefined || patterns.some((pattern) => eventTypeMatches(pattern, event.type)),
          )
          .filter((event) => inRange(event.created))
          .filter((event) => delivered === undefined || (event.pending_webhooks === 0) === delivered);
        return paginate(events, params, url);
      },
    },
  ];
}
