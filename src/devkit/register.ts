import Stripe from "stripe";
import { InboxError, StripeRequestError } from "../errors.js";
import { storeWebhookSecret } from "../inbox/stored-secrets.js";
import type { Store } from "../store/store.js";

export interface RegisterRequest {
  url: string;
  /** Event types, or `["*"]` for all. */
  events: readonly string[];
  description?: string | undefined;
  /** Where the endpoint is created, recorded beside its secret. */
  apiBase: string;
}

export interface RegisteredEndpoint {
  id: string;
  url: string;
  enabledEvents: string[];
  livemode: boolean;
}

/**
 * Creates a webhook endpoint through the Stripe API and stores the signing secret Stripe shows only in this answer,
 * where a running receiver on the same database picks it up. The store must already be open and migrated, so a
 * secret is never created that cannot be kept; if storing it still fails, the endpoint is deleted again.
 */
export async function registerWebhookEndpoint(
  stripe: Stripe,
  store: Store,
  request: RegisterRequest,
): Promise<RegisteredEndpoint> {
  let endpoint: Stripe.WebhookEndpoint;
  try {
    endpoint = await stripe.webhookEndpoints.create({
      url: request.url,
      // The API checks the names against its own list; the `stripe` types cannot at run time.
      enabled_events: [...request.events] as Stripe.WebhookEndpointCreateParams.EnabledEvent[],
      // Events in the version the installed `stripe` package's types describe, not the account's default.
      api_version: Stripe.API_VERSION,
      ...(request.description !== undefined && { description: request.description }),
    });
  } catch (error) {
    throw new StripeRequestError(
      `The Stripe API at ${request.apiBase} did not create the endpoint: ${describeStripeError(error)}`,
      error,
    );
  }
  const registered = {
    id: endpoint.id,
    url: endpoint.url,
    enabledEvents: endpoint.enabled_events,
    livemode: endpoint.livemode,
  };
  try {
    if (!endpoint.secret) throw new Error("the create answer carried no secret");
    await storeWebhookSecret(store, {
      endpointId: endpoint.id,
      url: endpoint.url,
      secret: endpoint.secret,
      enabledEvents: endpoint.enabled_events,
      livemode: endpoint.livemode,
      apiBase: request.apiBase,
    });
  } catch (error) {
    // Stripe never shows the secret again: an endpoint whose secret is lost would only produce rejected deliveries.
    const undone = await stripe.webhookEndpoints.del(endpoint.id).then(
      () => "deleted it again",
      (deleteError: unknown) => `could not delete it (${describeStripeError(deleteError)}): delete it in the Dashboard`,
    );
    // No `cause`: a constraint error's detail quotes the failing row, secret included.
    throw new InboxError(
      "endpoint_secret_not_stored",
      500,
      `Created ${endpoint.id} but could not store its secret (${error instanceof Error ? error.message : String(error)}); ${undone}.`,
    );
  }
  return registered;
}

/** Stripe's own message and code (its messages mask keys), or the network failure. */
export function describeStripeError(error: unknown): string {
  if (error && typeof error === "object" && "type" in error && "message" in error) {
    const { message, code, statusCode } = error as { message: string; code?: string; statusCode?: number };
    return [message, code && `(${code})`, statusCode && `[HTTP ${statusCode}]`].filter(Boolean).join(" ");
  }
  return error instanceof Error ? error.message : String(error);
}
