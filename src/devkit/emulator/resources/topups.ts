import type Stripe from "stripe";
import type { EmulatorCore, Route } from "../core.js";
import { StripeApiError } from "../errors.js";
import { createdFilter, paginate } from "../list.js";
import { mergeMetadata, nullableString, optionalString, requireInteger, requireString } from "../params.js";
import { stripeId } from "../store.js";
import { recordBalanceTransaction } from "./balance.js";

const DAY = 86_400;

/**
 * `/v1/topups`: money from the account's bank into its Stripe balance (`topup.created`, `pending`, with a pending
 * `topup` balance transaction); update and cancel while pending. As with payouts, no bank stands behind it, so a
 * top-up stays `pending` in the emulator.
 */
export function topupRoutes(core: EmulatorCore): Route[] {
  const get = (id: string) => core.store.get<Stripe.Topup>("topup", id);
  return [
    {
      method: "POST",
      pattern: "/v1/topups",
      handler: ({ params, request }) => {
        const amount = requireInteger(params, "amount");
        const currency = requireString(params, "currency").toLowerCase();
        const now = core.now();
        const id = stripeId("tu");
        const transaction = recordBalanceTransaction(core, {
          amount,
          currency,
          source: id,
          type: "topup",
          reportingCategory: "topup",
          status: "pending",
          availableOn: now + 5 * DAY,
          description: nullableString(params, "description"),
        });
        const topup = core.store.insert<Stripe.Topup>({
          id,
          object: "topup",
          amount,
          balance_transaction: transaction.id,
          created: now,
          currency,
          description: nullableString(params, "description") ?? null,
          expected_availability_date: now + 5 * DAY,
          failure_code: null,
          failure_message: null,
          livemode: false,
          metadata: mergeMetadata(params),
          source: null,
          statement_descriptor: optionalString(params, "statement_descriptor") ?? null,
          status: "pending",
          transfer_group: optionalString(params, "transfer_group") ?? null,
        } as Stripe.Topup);
        core.events.emit("topup.created", topup, request);
        return topup;
      },
    },
    { method: "GET", pattern: "/v1/topups/:id", handler: ({ path }) => get(path.id as string) },
    {
      method: "POST",
      pattern: "/v1/topups/:id",
      handler: ({ path, params }) => {
        const topup = get(path.id as string);
        const description = nullableString(params, "description");
        core.store.update(topup, {
          metadata: mergeMetadata(params, topup.metadata),
          ...(description !== undefined && { description }),
        });
        return topup;
      },
    },
    {
      method: "POST",
      pattern: "/v1/topups/:id/cancel",
      handler: ({ path, request }) => {
        const topup = get(path.id as string);
        if (topup.status !== "pending") {
          throw new StripeApiError(400, "invalid_request_error", "", "Only pending top-ups can be canceled.");
        }
        const previous = core.store.update(topup, { status: "canceled" });
        const transaction = core.store.find(topup.balance_transaction as string);
        if (transaction) core.store.remove(transaction);
        core.events.emit("topup.canceled", topup, request, previous);
        return topup;
      },
    },
    {
      method: "GET",
      pattern: "/v1/topups",
      handler: ({ params, url }) => {
        const status = optionalString(params, "status");
        const inRange = createdFilter(params);
        const topups = core.store
          .all<Stripe.Topup>("topup")
          .filter((topup) => (status === undefined || topup.status === status) && inRange(topup.created));
        return paginate(topups, params, url);
      },
    },
  ];
}
