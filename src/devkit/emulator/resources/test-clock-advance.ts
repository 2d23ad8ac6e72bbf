import type Stripe from "stripe";
import type { EmulatorCore } from "../core.js";
import { invalidParam } from "../errors.js";
import { NO_REQUEST, type RequestInfo } from "../events.js";
import { invoiceRetryDueWork } from "./invoice-retries.js";
import { quoteDueWork } from "./quotes.js";
import { announceRenewal, renewSubscription } from "./subscription-cycle.js";
import { addInterval } from "./subscription-items.js";
import { scheduleDueWork } from "./subscription-schedule-progress.js";

type TestClock = Stripe.TestHelpers.TestClock;

const DAY = 86_400;
/** Stripe sends `customer.subscription.trial_will_end` three days before a trial ends. */
const TRIAL_WARNING = 3 * DAY;
/**
 * How long before an automatically charged renewal Stripe sends `invoice.upcoming`: an account setting (Billing >
 * Subscriptions), here seven days. No notice when the period is shorter than that, or ends in a cancellation.
 */
const UPCOMING_NOTICE = 7 * DAY;

/** Something that falls due on a clock's time: a renewal, a trial's warning, a schedule's next phase, a quote's expiry. */
export interface DueWork {
  /** Unix seconds. */
  at: number;
  /** Among work due at the same second, lower runs first: a schedule's phase change before the renewal that bills it. */
  rank: number;
  /** Work runs once per advance, so a warning due once is sent once. */
  key: string;
  run(): void;
}

/**
 * Moves the clock to `target`, running what falls due on the way in time order, each at its own time: a year of
 * monthly renewals is twelve invoices, each created and paid at its period's end. The answer is the clock as
 * Stripe answers it, `advancing`; it is `ready` (`test_helpers.test_clock.ready`) once the work is done.
 */
export function advanceTestClock(
  core: EmulatorCore,
  clock: TestClock,
  target: number,
  request: RequestInfo,
): TestClock {
  const from = clock.frozen_time;
  if (clock.status !== "ready") {
    throw invalidParam("frozen_time", `Test clock ${clock.id} is ${clock.status}; advance it once it is ready.`);
  }
  if (target <= from) {
    throw invalidParam(
      "frozen_time",
      `The frozen time must be after the test clock's current frozen time (${from}); test clocks only move forward.`,
    );
  }
  const limit = advanceLimit(core, clock);
  if (target > limit) {
    throw invalidParam(
      "frozen_time",
      `A test clock cannot be advanced more than two intervals past its frozen time of the shortest subscription on it (two years without subscriptions): ${limit} at most. Advance it in steps.`,
    );
  }
  core.store.update(clock, { status: "advancing", status_details: { advancing: { target_frozen_time: target } } });
  core.events.emit("test_helpers.test_clock.advancing", clock, request);
  const answer = structuredClone(clock);
  try {
    runDueWork(core, clock, from, target);
  } catch (error) {
    core.store.update(clock, { status: "internal_failure", status_details: {} });
    core.events.emit("test_helpers.test_clock.internal_failure", clock, NO_REQUEST);
    throw error;
  }
  core.atTime(target, () => {
    core.store.update(clock, { status: "ready", frozen_time: target, status_details: {} });
    core.events.emit("test_helpers.test_clock.ready", clock, NO_REQUEST);
  });
  return answer;
}

export function clockCustomers(core: EmulatorCore, clock: TestClock): Stripe.Customer[] {
  return core.store.all<Stripe.Customer>("customer").filter((customer) => customer.test_clock === clock.id);
}

/** What is due is asked again after each piece of work, since each changes what comes next (a renewal, the next). */
function runDueWork(core: EmulatorCore, clock: TestClock, from: number, target: number): void {
  const done = new Set<string>();
  for (;;) {
    const customers = new Set(clockCustomers(core, clock).map((customer) => customer.id));
    const onClock = <T extends { customer: unknown }>(object: T) => customers.has(object.customer as string);
    const due = [
      ...core.store
        .all<Stripe.SubscriptionSchedule>("subscription_schedule")
        .filter(onClock)
        .flatMap((schedule) => scheduleDueWork(core, schedule, from)),
      ...core.store
        .all<Stripe.Subscription>("subscription")
        .filter(onClock)
        .flatMap((subscription) => subscriptionDueWork(core, subscription, from)),
      ...core.store
        .all<Stripe.Quote>("quote")
        .filter((quote) => quote.test_clock === clock.id)
        .flatMap((quote) => quoteDueWork(core, quote)),
    ].filter((work) => work.at <= target && !done.has(work.key));
    const next = due.sort((a, b) => a.at - b.at || a.rank - b.rank)[0];
    if (!next) return;
    done.add(next.key);
    core.atTime(next.at, () => next.run());
  }
}

const RENEWING: readonly string[] = ["active", "trialing", "past_due"];

function subscriptionDueWork(core: EmulatorCore, subscription: Stripe.Subscription, from: number): DueWork[] {
  if (!RENEWING.includes(subscription.status)) return [];
  const work: DueWork[] = invoiceRetryDueWork(core, subscription);
  const periodEnd = subscription.items.data[0]?.current_period_end;
  if (periodEnd !== undefined) {
    work.push({
      at: periodEnd,
      rank: 2,
      key: `${subscription.id} period ${periodEnd}`,
      run: () => renewSubscription(core, subscription),
    });
  }
  const noticeAt = periodEnd === undefined ? undefined : periodEnd - UPCOMING_NOTICE;
  const periodStart = subscription.items.data[0]?.current_period_start ?? subscription.created;
  if (
    noticeAt !== undefined &&
    noticeAt > from &&
    noticeAt > periodStart &&
    subscription.collection_method === "charge_automatically" &&
    !subscription.cancel_at_period_end
  ) {
    work.push({
      at: noticeAt,
      rank: 3,
      key: `${subscription.id} upcoming ${periodEnd}`,
      run: () => announceRenewal(core, subscription),
    });
  }
  const warnAt = subscription.trial_end === null ? undefined : subscription.trial_end - TRIAL_WARNING;
  // A trial shorter than the warning was warned of at its creation.
  if (subscription.status === "trialing" && warnAt !== undefined && warnAt > from && warnAt > subscription.created) {
    work.push({
      at: warnAt,
      rank: 3,
      key: `${subscription.id} trial_will_end`,
      run: () => core.events.emit("customer.subscription.trial_will_end", subscription, NO_REQUEST),
    });
  }
  return work;
}

/** Stripe's limit: two intervals of the shortest subscription on the clock, or two years without one. */
function advanceLimit(core: EmulatorCore, clock: TestClock): number {
  const customers = new Set(clockCustomers(core, clock).map((customer) => customer.id));
  const limits = core.store
    .all<Stripe.Subscription>("subscription")
    .filter((subscription) => customers.has(subscription.customer as string) && RENEWING.includes(subscription.status))
    .flatMap((subscription) => subscription.items.data)
    .map((item) => item.price.recurring)
    .filter((recurring) => recurring !== null)
    .map((recurring) => addInterval(clock.frozen_time, recurring.interval, 2 * recurring.interval_count));
  return Math.min(addInterval(clock.frozen_time, "year", 2), ...limits);
}
