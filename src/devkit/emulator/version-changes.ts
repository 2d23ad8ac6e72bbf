import type { Params } from "./params.js";
import type { SchemaEndpoint } from "./schema/types.js";

/**
 * A parameter Stripe renamed in a breaking release. A request made at an earlier version (its `Stripe-Version`, or the
 * account's when it sends none, as the Stripe CLI's fixtures do) still uses the old name, and Stripe reads it as the
 * new one; at the release and after, the old name is unknown.
 */
interface RenamedParam {
  /** The first version with the new name. */
  since: string;
  endpoints: readonly string[];
  from: string;
  to: string;
  /** The old value in the new parameter's shape, when that changed too. */
  reshape?: (value: unknown) => unknown;
}

const RENAMED_PARAMS: readonly RenamedParam[] = [
  {
    // "Remove support for `payment_method_types` on ... PaymentIntentCreateParams ...": the allowed list took its place.
    since: "2026-09-30.endive",
    endpoints: [
      "POST /v1/checkout/sessions",
      "POST /v1/payment_intents",
      "POST /v1/payment_intents/{id}",
      "POST /v1/payment_intents/{id}/confirm",
      "POST /v1/setup_intents",
      "POST /v1/setup_intents/{id}",
      "POST /v1/setup_intents/{id}/confirm",
    ],
    from: "payment_method_types",
    to: "allowed_payment_method_types",
  },
  {
    // "Remove support for `coupon` on ... PromotionCodeCreateParams": a code now names its `promotion`.
    since: "2025-09-30.clover",
    endpoints: ["POST /v1/promotion_codes"],
    from: "coupon",
    to: "promotion",
    reshape: (coupon) => ({ type: "coupon", coupon }),
  },
];

/**
 * A parameter Stripe removed in a breaking release without a new name. A request at an earlier version may still
 * send it: it is taken out before the current schema checks the rest, and handed to the route as a legacy parameter.
 */
interface RetiredParam {
  /** The first version without it. */
  since: string;
  endpoints: readonly string[];
  name: string;
  /** The list parameter whose elements carried it (`phases[n][iterations]`); absent for a top-level one. */
  within?: string;
}

const CUSTOMER_AND_SUBSCRIPTION_WRITES = [
  "POST /v1/customers",
  "POST /v1/customers/{id}",
  "POST /v1/subscriptions",
  "POST /v1/subscriptions/{id}",
];

const RETIRED_PARAMS: readonly RetiredParam[] = [
  {
    // basil: "Remove support for `coupon` on `CustomerCreateParams`, `CustomerUpdateParams`, ...,
    // `SubscriptionCreateParams`, ... and `SubscriptionUpdateParams`"; the same for `promotion_code`.
    since: "2025-03-31.basil",
    endpoints: CUSTOMER_AND_SUBSCRIPTION_WRITES,
    name: "coupon",
  },
  {
    since: "2025-03-31.basil",
    endpoints: CUSTOMER_AND_SUBSCRIPTION_WRITES,
    name: "promotion_code",
  },
  {
    // clover: "Remove support for `iterations` on `SubscriptionScheduleCreateParams.phases[]`, and
    // `SubscriptionScheduleUpdateParams.phases[]`": a phase lasts its `duration` or to its `end_date`.
    since: "2025-09-30.clover",
    endpoints: ["POST /v1/subscription_schedules", "POST /v1/subscription_schedules/{id}"],
    name: "iterations",
    within: "phases",
  },
];

/** Stripe's versions are dated, so their order is their names' order. */
function before(version: string, release: string): boolean {
  return version.slice(0, 10) < release.slice(0, 10);
}

/**
 * The request's parameters as the installed version names them, for a request made at `version`, and apart from them
 * the retired ones it still sent.
 */
export function paramsAtCurrentVersion(
  params: Params,
  endpoint: SchemaEndpoint,
  version: string,
): { params: Params; legacy: Params } {
  const key = `${endpoint.method} ${endpoint.path}`;
  let upgraded = params;
  const legacy: Params = {};
  for (const retired of RETIRED_PARAMS) {
    if (!before(version, retired.since) || !retired.endpoints.includes(key)) continue;
    if (retired.within !== undefined) {
      upgraded = withoutRetiredInEach(upgraded, retired.within, retired.name, legacy);
      continue;
    }
    if (upgraded[retired.name] === undefined) continue;
    const { [retired.name]: value, ...rest } = upgraded;
    legacy[retired.name] = value;
    upgraded = rest;
  }
  for (const change of RENAMED_PARAMS) {
    if (!before(version, change.since) || !change.endpoints.includes(key)) continue;
    if (upgraded[change.from] === undefined || upgraded[change.to] !== undefined) continue;
    const { [change.from]: value, ...rest } = upgraded;
    upgraded = { ...rest, [change.to]: change.reshape ? change.reshape(value) : value };
  }
  return { params: upgraded, legacy };
}

/** Takes `name` out of each element of the list `within`; the legacy parameters keep it by the element's index. */
function withoutRetiredInEach(params: Params, within: string, name: string, legacy: Params): Params {
  const list = params[within];
  if (list === null || typeof list !== "object") return params;
  const kept = (Array.isArray(list) ? [] : {}) as Record<string, unknown>;
  const taken: Record<string, Params> = {};
  for (const [index, element] of Object.entries(list as Record<string, unknown>)) {
    const carries = element !== null && typeof element === "object" && (element as Params)[name] !== undefined;
    if (!carries) {
      kept[index] = element;
      continue;
    }
    const { [name]: value, ...rest } = element as Params;
    kept[index] = rest;
    taken[index] = { [name]: value };
  }
  if (Object.keys(taken).length === 0) return params;
  legacy[within] = taken;
  return { ...params, [within]: kept };
}
