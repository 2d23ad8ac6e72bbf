import type Stripe from "stripe";
import type { EmulatorCore, Route } from "../core.js";
import { invalidParam, StripeApiError } from "../errors.js";
import { NO_REQUEST, type RequestInfo } from "../events.js";
import { paginate } from "../list.js";
import {
  mergeMetadata,
  optionalArray,
  optionalBoolean,
  optionalInteger,
  optionalString,
  type Params,
  requireString,
} from "../params.js";
import { stripeId } from "../store.js";
import { applyPhase, phaseAt, schedulePhases } from "./subscription-schedule-phases.js";
import { managedSubscription, scheduleEnd, startSchedule } from "./subscription-schedule-progress.js";
import { cancelSubscription } from "./subscriptions.js";

type Schedule = Stripe.SubscriptionSchedule;

/**
 * `/v1/subscription_schedules`: phases of a subscription laid out in time, from a customer (the subscription starts
 * with the first phase) or from an existing subscription; updated, released (the subscription goes on alone) or
 * canceled (with its subscription). Phases change, and the schedule completes, as a test clock passes their ends.
 */
export function subscriptionScheduleRoutes(core: EmulatorCore): Route[] {
  const get = (id: string | undefined) => core.store.get<Schedule>("subscription_schedule", id as string, "schedule");
  return [
    {
      method: "POST",
      pattern: "/v1/subscription_schedules",
      handler: ({ params, legacy, request }) => {
        const from = optionalString(params, "from_subscription");
        return from === undefined
          ? createSchedule(core, params, legacy?.phases as Params | undefined, request)
          : scheduleFromSubscription(core, from, params, request);
      },
    },
    { method: "GET", pattern: "/v1/subscription_schedules/:id", handler: ({ path }) => get(path.id) },
    {
      method: "POST",
      pattern: "/v1/subscription_schedules/:id",
      handler: ({ path, params, legacy, request }) =>
        updateSchedule(core, get(path.id), params, legacy?.phases as Params | undefined, request),
    },
    {
      method: "POST",
      pattern: "/v1/subscription_schedules/:id/cancel",
      handler: ({ path, request }) => {
        const schedule = requireRunning(get(path.id), "cancel");
        const subscription = managedSubscription(core, schedule);
        if (subscription && subscription.status !== "canceled") cancelSubscription(core, subscription, request);
        const previous = core.store.update(schedule, {
          status: "canceled",
          canceled_at: core.now(),
          current_phase: null,
        });
        core.events.emit("subscription_schedule.canceled", schedule, request, previous);
        return schedule;
      },
    },
    {
      method: "POST",
      pattern: "/v1/subscription_schedules/:id/release",
      handler: ({ path, params, request }) => {
        const schedule = requireRunning(get(path.id), "release");
        const subscription = managedSubscription(core, schedule);
        if (subscription) {
          // The end the schedule gave the subscription goes with it, unless asked to stay.
          const keepCancelDate = optionalBoolean(params, "preserve_cancel_date") ?? false;
          const previous = core.store.update(subscription, {
            schedule: null,
            ...(!keepCancelDate && { cancel_at: null }),
          });
          if (Object.keys(previous).length > 0) {
            core.events.emit("customer.subscription.updated", subscription, request, previous);
          }
        }
        const previous = core.store.update(schedule, {
          status: "released",
          released_at: core.now(),
          released_subscription: subscription?.id ?? null,
          subscription: null,
          current_phase: null,
        });
        core.events.emit("subscription_schedule.released", schedule, request, previous);
        return schedule;
      },
    },
    {
      method: "GET",
      pattern: "/v1/subscription_schedules",
      handler: ({ params, url }) => {
        const customer = optionalString(params, "customer");
        const schedules = core.store
          .query<Schedule>("subscription_schedule")
          .filter((schedule) => customer === undefined || schedule.customer === customer);
        return paginate(schedules, params, url);
      },
    },
  ];
}

function createSchedule(core: EmulatorCore, params: Params, legacyPhases: Params | undefined, request: RequestInfo) {
  const customer = core.store.get<Stripe.Customer>("customer", requireString(params, "customer"), "customer");
  const now = core.now();
  const start =
    params.start_date === undefined || params.start_date === "now" ? now : optionalInteger(params, "start_date");
  if (start === undefined || start < now) {
    throw invalidParam(
      "start_date",
      "The emulator starts a schedule now or later; a start_date in the past is not emulated.",
    );
  }
  const phases = schedulePhases(core, optionalArray(params, "phases") ?? [], legacyPhases, start);
  const schedule = insertSchedule(core, customer, params, phases);
  if (start === now) startSchedule(core, schedule, request);
  core.events.emit("subscription_schedule.created", schedule, request);
  return schedule;
}

/** A schedule that takes over a subscription: one phase, its current items to the end of its period. */
function scheduleFromSubscription(core: EmulatorCore, id: string, params: Params, request: RequestInfo) {
  for (const other of ["customer", "phases", "start_date", "end_behavior"]) {
    if (params[other] !== undefined) {
      throw invalidParam(
        other,
        `You cannot set \`${other}\` when creating a schedule from_subscription; update the schedule after.`,
      );
    }
  }
  const subscription = core.store.get<Stripe.Subscription>("subscription", id, "from_subscription");
  if (subscription.status === "canceled" || subscription.schedule !== null) {
    throw invalidParam(
      "from_subscription",
      `Subscription ${id} ${subscription.status === "canceled" ? "has ended" : "is already managed by a subscription schedule"}.`,
    );
  }
  const first = subscription.items.data[0] as Stripe.SubscriptionItem;
  const phaseParams = {
    items: subscription.items.data.map((item) => ({ price: item.price.id, quantity: String(item.quantity ?? 1) })),
    end_date: String(first.current_period_end),
  };
  const phases = schedulePhases(core, [phaseParams], undefined, first.current_period_start);
  const customer = core.store.get<Stripe.Customer>("customer", subscription.customer as string, "customer");
  const schedule = insertSchedule(core, customer, params, phases);
  core.store.update(schedule, {
    status: "active",
    subscription: subscription.id,
    current_phase: { start_date: first.current_period_start, end_date: first.current_period_end },
  });
  const previous = core.store.update(subscription, { schedule: schedule.id });
  core.events.emit("customer.subscription.updated", subscription, request, previous);
  core.events.emit("subscription_schedule.created", schedule, request);
  return schedule;
}

function insertSchedule(
  core: EmulatorCore,
  customer: Stripe.Customer,
  params: Params,
  phases: Stripe.SubscriptionSchedule.Phase[],
): Schedule {
  const endBehavior = optionalString(params, "end_behavior") ?? "release";
  if (endBehavior !== "release" && endBehavior !== "cancel") {
    throw invalidParam("end_behavior", "The emulator's schedules end by `release` or `cancel`.");
  }
  return core.store.insert<Schedule>({
    id: stripeId("sub_sched"),
    object: "subscription_schedule",
    application: null,
    billing_mode: { flexible: null, type: "classic" },
    canceled_at: null,
    completed_at: null,
    created: core.now(),
    current_phase: null,
    customer: customer.id,
    customer_account: null,
    default_settings: {
      application_fee_percent: null,
      automatic_tax: { disabled_reason: null, enabled: false, liability: null },
      billing_cycle_anchor: "automatic",
      billing_thresholds: null,
      collection_method: "charge_automatically",
      default_payment_method: null,
      description: null,
      invoice_settings: {
        account_tax_ids: null,
        custom_fields: null,
        days_until_due: null,
        description: null,
        footer: null,
        issuer: { type: "self" },
      },
      on_behalf_of: null,
      transfer_data: null,
    },
    end_behavior: endBehavior,
    livemode: false,
    metadata: mergeMetadata(params),
    pause_schedules: [],
    phases,
    released_at: null,
    released_subscription: null,
    status: "not_started",
    subscription: null,
    test_clock: customer.test_clock ?? null,
  });
}

/**
 * Metadata, `end_behavior` and `phases`. New phases start where the schedule did; on a running schedule, the one
 * that covers now becomes the subscription's.
 */
function updateSchedule(
  core: EmulatorCore,
  schedule: Schedule,
  params: Params,
  legacyPhases: Params | undefined,
  request: RequestInfo,
): Schedule {
  requireRunning(schedule, "update");
  const changes: Partial<Schedule> = { metadata: mergeMetadata(params, schedule.metadata ?? {}) };
  const endBehavior = optionalString(params, "end_behavior");
  if (endBehavior !== undefined) {
    if (endBehavior !== "release" && endBehavior !== "cancel") {
      throw invalidParam("end_behavior", "The emulator's schedules end by `release` or `cancel`.");
    }
    changes.end_behavior = endBehavior;
  }
  const phaseParams = optionalArray(params, "phases");
  const start = schedule.phases[0]?.start_date as number;
  const phases = phaseParams ? schedulePhases(core, phaseParams, legacyPhases, start) : schedule.phases;
  const subscription = managedSubscription(core, schedule);
  if (phaseParams && schedule.status === "active") {
    const current = phaseAt(phases, core.now());
    if (!current)
      throw invalidParam(
        "phases",
        "The phases must cover the present: a running schedule's phase cannot end in the past.",
      );
    if (subscription) applyPhase(core, subscription, current, request);
    changes.current_phase = { start_date: current.start_date, end_date: current.end_date };
  }
  changes.phases = phases;
  if (subscription && subscription.status !== "canceled") {
    const ending = (changes.end_behavior ?? schedule.end_behavior) === "cancel";
    const previous = core.store.update(subscription, {
      cancel_at: ending ? scheduleEnd({ ...schedule, phases }) : null,
    });
    if (Object.keys(previous).length > 0)
      core.events.emit("customer.subscription.updated", subscription, request, previous);
  }
  const previous = core.store.update(schedule, changes);
  if (Object.keys(previous).length > 0) core.events.emit("subscription_schedule.updated", schedule, request, previous);
  return schedule;
}

/** Only a schedule that has not ended can be changed, as Stripe says. */
function requireRunning(schedule: Schedule, action: string): Schedule {
  if (schedule.status === "not_started" || schedule.status === "active") return schedule;
  throw new StripeApiError(
    400,
    "invalid_request_error",
    "",
    `You cannot ${action} a subscription schedule that is currently in the \`${schedule.status}\` status. It must be in the \`not_started\` or \`active\` status.`,
  );
}

/**
 * A schedule whose subscription was canceled for failed payments ends with it: `canceled`, and announced as
 * `subscription_schedule.aborted`, Stripe's event for a schedule ended by delinquency rather than asked to cancel.
 */
export function abortSchedule(core: EmulatorCore, subscription: Stripe.Subscription): void {
  if (typeof subscription.schedule !== "string") return;
  const schedule = core.store.get<Schedule>("subscription_schedule", subscription.schedule);
  if (schedule.status !== "active" && schedule.status !== "not_started") return;
  const previous = core.store.update(schedule, { status: "canceled", canceled_at: core.now(), current_phase: null });
  core.events.emit("subscription_schedule.aborted", schedule, NO_REQUEST, previous);
}
