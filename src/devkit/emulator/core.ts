import type { AccountStores } from "./accounts.js";
import type { EventLog, RequestInfo } from "./events.js";
import type { VirtualFields } from "./expand.js";
import type { Params } from "./params.js";
import type { ObjectStore } from "./store.js";

/** What every resource's routes share: the objects, the clock and the event log. */
export interface EmulatorCore {
  /** The objects of the account the request acts on: the platform's, or its `Stripe-Account`'s. */
  readonly store: ObjectStore;
  accounts: AccountStores;
  /** Unix seconds, from the emulator's clock, or the frozen time of the test clock a request acts under. */
  now(): number;
  /** Runs `work` with `now()` answering `time`: what happens on a test clock happens at its frozen time. */
  atTime<T>(time: number, work: () => T): T;
  events: EventLog;
  virtualFields: VirtualFields;
  /** `http://127.0.0.1:12111`, for URLs the emulator hands out (a Checkout Session's `url`). */
  baseUrl(): string;
}

export interface ApiRequest {
  params: Params;
  /** Parameters Stripe retired after the request's API version, which it still honours for that version. */
  legacy?: Params;
  /** The `:name` parts of the route's path. */
  path: Record<string, string>;
  request: RequestInfo;
  /** The request path without the query, e.g. `/v1/customers`, for lists' `url`. */
  url: string;
}

export interface Route {
  method: "GET" | "POST" | "DELETE";
  /** `/v1/customers/:id`. */
  pattern: string;
  handler: (request: ApiRequest) => unknown;
}

/** Stripe-style `{id, object, deleted: true}` answer for a DELETE. */
export function deletedStub(object: { id: string; object: string }) {
  return { id: object.id, object: object.object, deleted: true as const };
}
