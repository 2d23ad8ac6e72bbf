import type Stripe from "stripe";
import { deletedStub, type EmulatorCore, type Route } from "../core.js";
import type { StoredEndpoint } from "../delivery.js";
import { invalidParam, missingParam } from "../errors.js";
import { paginate } from "../list.js";
import {
  mergeMetadata,
  nullableString,
  optionalBoolean,
  optionalString,
  type Params,
  requireString,
  stringList,
} from "../params.js";
import { stripeId } from "../store.js";

/** `/v1/webhook_endpoints`: the secret is in the create answer only, as Stripe shows it once. */
export function webhookEndpointRoutes(core: EmulatorCore): Route[] {
  const get = (id: string) => core.store.get<StoredEndpoint>("webhook_endpoint", id);
  return [
    {
      method: "POST",
      pattern: "/v1/webhook_endpoints",
      handler: ({ params }) => {
        const endpoint: StoredEndpoint = {
          id: stripeId("we"),
          object: "webhook_endpoint",
          api_version: optionalString(params, "api_version") ?? null,
          application: null,
          created: core.now(),
          description: nullableString(params, "description") ?? null,
          enabled_events: enabledEvents(params, true) as string[],
          livemode: false,
          metadata: mergeMetadata(params),
          secret: stripeId("whsec", 32),
          connect: optionalBoolean(params, "connect") ?? false,
          status: "enabled",
          url: endpointUrl(params, true) as string,
        };
        core.store.insert(endpoint);
        // The secret is shown in this answer only; `connect` is the emulator's own bookkeeping, not a field.
        return { ...withoutSecret(endpoint), secret: endpoint.secret };
      },
    },
    {
      method: "GET",
      pattern: "/v1/webhook_endpoints/:id",
      handler: ({ path }) => withoutSecret(get(path.id as string)),
    },
    {
      method: "POST",
      pattern: "/v1/webhook_endpoints/:id",
      handler: ({ path, params }) => {
        const endpoint = get(path.id as string);
        const disabled = optionalBoolean(params, "disabled");
        const description = nullableString(params, "description");
        core.store.update(endpoint, {
          url: endpointUrl(params, false) ?? endpoint.url,
          enabled_events: enabledEvents(params, false) ?? endpoint.enabled_events,
          status: disabled === undefined ? endpoint.status : disabled ? "disabled" : "enabled",
          description: description === undefined ? endpoint.description : description,
          metadata: mergeMetadata(params, endpoint.metadata),
        });
        return withoutSecret(endpoint);
      },
    },
    {
      method: "DELETE",
      pattern: "/v1/webhook_endpoints/:id",
      handler: ({ path }) => {
        const endpoint = get(path.id as string);
        core.store.remove(endpoint);
        return deletedStub(endpoint);
      },
    },
    {
      method: "GET",
      pattern: "/v1/webhook_endpoints",
      handler: ({ params, url }) => {
        const list = paginate(core.store.query<StoredEndpoint>("webhook_endpoint"), params, url);
        return { ...list, data: list.data.map(withoutSecret) };
      },
    },
  ];
}

function withoutSecret(endpoint: StoredEndpoint): Stripe.WebhookEndpoint {
  const { secret: _secret, connect: _connect, ...shown } = endpoint;
  return shown;
}

function endpointUrl(params: Params, required: boolean): string | undefined {
  const url = required ? requireString(params, "url") : optionalString(params, "url");
  if (url === undefined) return undefined;
  if (!/^https?:\/\/[^\s/]+/.test(url)) throw invalidParam("url", `Invalid URL: ${url}`, "url_invalid");
  return url;
}

function enabledEvents(params: Params, required: boolean): string[] | undefined {
  const events = stringList(params, "enabled_events");
  if (events === undefined || events.length === 0) {
    if (required) throw missingParam("enabled_events");
    return undefined;
  }
  return events;
}
