import type Stripe from "stripe";
import { type ApiRequest, deletedStub, type EmulatorCore, type Route } from "../core.js";
import { invalidParam, noSuch } from "../errors.js";
import { paginate } from "../list.js";
import { optionalString, type Params, requireInteger } from "../params.js";
import type { StripeObject } from "../store.js";
import { stripeId } from "../store.js";
import { advanceTestClock, clockCustomers } from "./test-clock-advance.js";

type TestClock = Stripe.TestHelpers.TestClock;

const DAY = 86_400;
/** Stripe deletes a test clock, and everything on it, a week after it is made. */
const CLOCK_LIFETIME = 7 * DAY;

/**
 * `/v1/test_helpers/test_clocks`: a frozen time that customers (and their subscriptions, invoices, schedules and
 * quotes) live on. Advancing it runs what falls due in between, in order, each at its own time.
 */
export function testClockRoutes(core: EmulatorCore): Route[] {
  return [
    {
      method: "POST",
      pattern: "/v1/test_helpers/test_clocks",
      handler: ({ params, request }) => {
        const now = core.now();
        const clock = core.store.insert<TestClock>({
          id: stripeId("clock"),
          object: "test_helpers.test_clock",
          created: now,
          deletes_after: now + CLOCK_LIFETIME,
          frozen_time: requireInteger(params, "frozen_time"),
          livemode: false,
          name: optionalString(params, "name") ?? null,
          status: "ready",
          status_details: {},
        });
        core.events.emit("test_helpers.test_clock.created", clock, request);
        return clock;
      },
    },
    { method: "GET", pattern: "/v1/test_helpers/test_clocks/:id", handler: ({ path }) => getClock(core, path.id) },
    {
      method: "GET",
      pattern: "/v1/test_helpers/test_clocks",
      handler: ({ params, url }) => paginate(core.store.query<TestClock>("test_helpers.test_clock"), params, url),
    },
    {
      method: "DELETE",
      pattern: "/v1/test_helpers/test_clocks/:id",
      handler: ({ path, request }) => {
        const clock = getClock(core, path.id);
        // Everything on the clock goes with it, as on Stripe, without events of its own.
        for (const object of objectsOnClock(core, clock)) core.store.remove(object);
        core.store.remove(clock);
        core.events.emit("test_helpers.test_clock.deleted", clock, request);
        return deletedStub(clock);
      },
    },
    {
      method: "POST",
      pattern: "/v1/test_helpers/test_clocks/:id/advance",
      handler: ({ path, params, request }) =>
        advanceTestClock(core, getClock(core, path.id), requireInteger(params, "frozen_time"), request),
    },
  ];
}

/**
 * Runs each request that acts on a test clock's objects at the clock's frozen time, so what it creates is stamped
 * with that time (a subscription's `start_date`, an invoice's `created`) and its events too.
 */
export function onTestClockTime(core: EmulatorCore, routes: Route[]): Route[] {
  return routes.map((route) => ({
    ...route,
    handler: (request: ApiRequest) => {
      const clock = clockOfRequest(core, request);
      return clock ? core.atTime(clock.frozen_time, () => route.handler(request)) : route.handler(request);
    },
  }));
}

export function getClock(core: EmulatorCore, id: string | undefined, param = "id"): TestClock {
  const clock = id === undefined ? undefined : core.store.find(id);
  if (clock?.object !== "test_helpers.test_clock") throw noSuch("test clock", id ?? "", param);
  return clock as TestClock;
}

/**
 * `test_clock=clock_...` on a customer's (or a quote's) creation. A clock whose advance failed
 * (`internal_failure`) takes no new objects: its time is no longer one the objects on it agree on.
 */
export function requestedClock(core: EmulatorCore, params: Params): string | null {
  const id = optionalString(params, "test_clock");
  if (id === undefined) return null;
  const clock = getClock(core, id, "test_clock");
  if (clock.status !== "ready") {
    throw invalidParam(
      "test_clock",
      `Test clock ${clock.id} is ${clock.status}; only a ready clock takes new objects.`,
    );
  }
  return clock.id;
}

/** The clock an object lives on: its own `test_clock`, or its customer's. */
export function clockIdOf(core: EmulatorCore, object: StripeObject | undefined): string | null {
  if (!object) return null;
  if (object.object === "test_helpers.test_clock") return object.id;
  const own = (object as { test_clock?: unknown }).test_clock;
  if (typeof own === "string") return own;
  const customer = (object as { customer?: unknown }).customer;
  if (typeof customer !== "string" || object.object === "customer") return null;
  return clockIdOf(core, core.store.find(customer));
}

function clockOfRequest(core: EmulatorCore, { params, path }: ApiRequest): TestClock | undefined {
  const named = [params.test_clock, params.customer, params.from_subscription, ...Object.values(path)];
  for (const id of named) {
    if (typeof id !== "string") continue;
    const clockId = clockIdOf(core, core.store.find(id));
    const clock = clockId === null ? undefined : core.store.find(clockId);
    if (clock?.object === "test_helpers.test_clock") return clock as TestClock;
  }
  return undefined;
}

function objectsOnClock(core: EmulatorCore, clock: TestClock): StripeObject[] {
  const customers = new Set(clockCustomers(core, clock).map((customer) => customer.id));
  const owned = (object: StripeObject) => {
    const customer = (object as { customer?: unknown }).customer;
    return typeof customer === "string" && customers.has(customer);
  };
  const types = ["subscription", "subscription_schedule", "quote", "invoice"];
  return [...types.flatMap((type) => core.store.all<StripeObject>(type).filter(owned)), ...clockCustomers(core, clock)];
}
