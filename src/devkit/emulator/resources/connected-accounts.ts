import type Stripe from "stripe";
import { deletedStub, type EmulatorCore, type Route } from "../core.js";
import type { RequestInfo } from "../events.js";
import { createdFilter, paginate } from "../list.js";
import { mergeMetadata, nullableString, optionalString } from "../params.js";
import { type StripeObject, stripeId } from "../store.js";

/**
 * `/v1/accounts`: the platform's connected accounts, kept with the platform's objects (each account's own objects
 * live apart, under `Stripe-Account`). Stripe sends an account's events to Connect endpoints, naming the account:
 * `account.updated` on a change, `account.application.deauthorized` when it leaves the platform (a delete).
 * Onboarding is not emulated: an account can take charges and payouts at once.
 */
export function connectedAccountRoutes(core: EmulatorCore): Route[] {
  const platform = () => core.accounts.platform;
  const get = (id: string) => platform().get<Stripe.Account>("account", id, "account");
  const asAccount = (account: Stripe.Account, emit: () => void) => core.accounts.actingAs(account.id, emit);
  return [
    {
      method: "POST",
      pattern: "/v1/accounts",
      handler: ({ params }) => {
        // The schema has already refused a type Stripe does not have.
        const type = optionalString(params, "type") ?? "standard";
        const account = platform().insert<Stripe.Account>({
          id: stripeId("acct", 16),
          object: "account",
          business_profile: null,
          business_type: null,
          charges_enabled: true,
          country: optionalString(params, "country") ?? "US",
          created: core.now(),
          default_currency: "usd",
          details_submitted: true,
          email: nullableString(params, "email") ?? null,
          metadata: mergeMetadata(params),
          payouts_enabled: true,
          type: type as Stripe.Account.Type,
        } as Stripe.Account);
        return account;
      },
    },
    { method: "GET", pattern: "/v1/accounts/:id", handler: ({ path }) => get(path.id as string) },
    {
      method: "POST",
      pattern: "/v1/accounts/:id",
      handler: ({ path, params, request }) => {
        const account = get(path.id as string);
        const email = nullableString(params, "email");
        const previous = platform().update(account, {
          metadata: mergeMetadata(params, account.metadata ?? {}),
          ...(email !== undefined && { email }),
        });
        if (Object.keys(previous).length > 0) {
          asAccount(account, () => core.events.emit("account.updated", account, request, previous));
        }
        return account;
      },
    },
    {
      method: "DELETE",
      pattern: "/v1/accounts/:id",
      handler: ({ path, request }) => {
        const account = get(path.id as string);
        platform().remove(account);
        asAccount(account, () => deauthorize(core, request));
        return deletedStub(account);
      },
    },
    {
      method: "GET",
      pattern: "/v1/accounts",
      handler: ({ params, url }) => {
        const inRange = createdFilter(params);
        const accounts = platform()
          .all<Stripe.Account>("account")
          .filter((account) => inRange(account.created ?? 0));
        return paginate(accounts, params, url);
      },
    },
  ];
}

/** The platform's application, as the account that left it sees it. */
function deauthorize(core: EmulatorCore, request: RequestInfo): void {
  const application = { id: "ca_stripe_inbox_emulator", object: "application", name: "stripe-inbox emulator" };
  core.events.emit("account.application.deauthorized", application as StripeObject, request);
}
