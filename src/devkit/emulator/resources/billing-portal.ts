import type Stripe from "stripe";
import type { EmulatorCore, Route } from "../core.js";
import type { RequestInfo } from "../events.js";
import { paginate } from "../list.js";
import {
  mergeMetadata,
  nullableString,
  optionalBoolean,
  optionalObject,
  optionalString,
  type Params,
  requireString,
} from "../params.js";
import { stripeId } from "../store.js";

type Configuration = Stripe.BillingPortal.Configuration;

/**
 * `/v1/billing_portal/configurations` (create, retrieve, update, list: `billing_portal.configuration.*`) and
 * `/v1/billing_portal/sessions` (create: `billing_portal.session.created`). The emulator's account has the default
 * configuration a Dashboard save makes, so a session needs none given; its `url` is the emulator's, with no page.
 */
export function billingPortalRoutes(core: EmulatorCore): Route[] {
  const get = (id: string) => core.store.get<Configuration>("billing_portal.configuration", id, "configuration");
  return [
    {
      method: "POST",
      pattern: "/v1/billing_portal/configurations",
      handler: ({ params, request }) => {
        const configuration = insertConfiguration(core, params, false);
        core.events.emit("billing_portal.configuration.created", configuration, request);
        return configuration;
      },
    },
    { method: "GET", pattern: "/v1/billing_portal/configurations/:id", handler: ({ path }) => get(path.id as string) },
    {
      method: "POST",
      pattern: "/v1/billing_portal/configurations/:id",
      handler: ({ path, params, request }) => {
        const configuration = get(path.id as string);
        const active = optionalBoolean(params, "active");
        const returnUrl = nullableString(params, "default_return_url");
        const previous = core.store.update(configuration, {
          metadata: mergeMetadata(params, configuration.metadata ?? {}),
          ...(active !== undefined && { active }),
          ...(returnUrl !== undefined && { default_return_url: returnUrl }),
        });
        if (Object.keys(previous).length > 0) {
          configuration.updated = core.now();
          core.events.emit("billing_portal.configuration.updated", configuration, request, previous);
        }
        return configuration;
      },
    },
    {
      method: "GET",
      pattern: "/v1/billing_portal/configurations",
      handler: ({ params, url }) => {
        const active = optionalBoolean(params, "active");
        const isDefault = optionalBoolean(params, "is_default");
        const configurations = core.store
          .all<Configuration>("billing_portal.configuration")
          .filter(
            (each) =>
              (active === undefined || each.active === active) &&
              (isDefault === undefined || each.is_default === isDefault),
          );
        return paginate(configurations, params, url);
      },
    },
    {
      method: "POST",
      pattern: "/v1/billing_portal/sessions",
      handler: ({ params, request }) => createSession(core, params, request),
    },
  ];
}

function createSession(core: EmulatorCore, params: Params, request: RequestInfo): Stripe.BillingPortal.Session {
  const customer = core.store.get<Stripe.Customer>("customer", requireString(params, "customer"), "customer");
  const configurationId = optionalString(params, "configuration");
  const configuration = configurationId
    ? core.store.get<Configuration>("billing_portal.configuration", configurationId, "configuration")
    : defaultConfiguration(core);
  const id = stripeId("bps");
  const session = core.store.insert<Stripe.BillingPortal.Session>({
    id,
    object: "billing_portal.session",
    configuration: configuration.id,
    created: core.now(),
    customer: customer.id,
    customer_account: null,
    flow: null,
    livemode: false,
    locale: (optionalString(params, "locale") ?? null) as Stripe.BillingPortal.Session.Locale | null,
    on_behalf_of: null,
    return_url: optionalString(params, "return_url") ?? configuration.default_return_url,
    url: `${core.baseUrl()}/_emulator/billing_portal/sessions/${id}`,
  });
  core.events.emit("billing_portal.session.created", session, request);
  return session;
}

function defaultConfiguration(core: EmulatorCore): Configuration {
  const existing = core.store.all<Configuration>("billing_portal.configuration").find((each) => each.is_default);
  return existing ?? insertConfiguration(core, {}, true);
}

function insertConfiguration(core: EmulatorCore, params: Params, isDefault: boolean): Configuration {
  const profile = optionalObject(params, "business_profile") ?? {};
  const features = optionalObject(params, "features") ?? {};
  const enabled = (name: string) => optionalBoolean(optionalObject(features, name) ?? {}, "enabled") ?? false;
  const now = core.now();
  return core.store.insert<Configuration>({
    id: stripeId("bpc"),
    object: "billing_portal.configuration",
    active: true,
    application: null,
    business_profile: {
      headline: optionalString(profile, "headline") ?? null,
      privacy_policy_url: optionalString(profile, "privacy_policy_url") ?? null,
      terms_of_service_url: optionalString(profile, "terms_of_service_url") ?? null,
    },
    created: now,
    default_return_url: optionalString(params, "default_return_url") ?? null,
    features: {
      customer_update: { allowed_updates: [], enabled: enabled("customer_update") },
      invoice_history: { enabled: enabled("invoice_history") },
      payment_method_update: { enabled: enabled("payment_method_update"), payment_method_configuration: null },
      subscription_cancel: {
        cancellation_reason: { enabled: false, options: [] },
        enabled: enabled("subscription_cancel"),
        mode: "at_period_end",
        proration_behavior: "none",
      },
      subscription_pause: {
        duration: { interval_options: [], type: "indefinite" },
        enabled: enabled("subscription_pause"),
      },
      subscription_update: {
        billing_cycle_anchor: null,
        default_allowed_updates: [],
        enabled: enabled("subscription_update"),
        products: null,
        proration_behavior: "none",
        schedule_at_period_end: { conditions: [] },
        trial_update_behavior: "end_trial",
      },
    },
    is_default: isDefault,
    livemode: false,
    login_page: { enabled: false, url: null },
    metadata: mergeMetadata(params),
    name: nullableString(params, "name") ?? null,
    updated: now,
  } as unknown as Configuration);
}
