import type Stripe from "stripe";
import type { EmulatorCore } from "../core.js";
import { NO_REQUEST, type RequestInfo } from "../events.js";
import { applyPhase, subscriptionItemParams } from "./subscription-schedule-phases.js";
import { cancelSubscription, createSubscription } from "./subscriptions.js";
import type { DueWork } from "./test-clock-advance.js";

type Schedule = Stripe.SubscriptionSchedule;

const DAY = 86_400;
/** "Occurs 7 days before a subscription schedule will expire" (`subscription_schedule.expiring`). */
const EXPIRING_NOTICE = 7 * DAY;

/** The end of the schedule's last phase. */
export function scheduleEnd(schedule: Schedule): number {
  return schedule.phases.at(-1)?.end_date as number;
}

/**
 * Starts the first phase: the subscription is created with its items, managed by the schedule (and, with
 * `end_behavior=cancel`, set to end with it).
 */
export function startSchedule(core: EmulatorCore, schedule: Schedule, request: RequestInfo): Partial<Schedule> {
  const phase = schedule.phases[0] as Stripe.SubscriptionSchedule.Phase;
  const paymentMethod = phase.default_payment_method ?? schedule.default_settings.default_payment_method;
  const subscription = createSubscription(
    core,
    {
      customer: schedule.customer as string,
      items: subscriptionItemParams(phase),
      metadata: phase.metadata ?? {},
      ...(typeof paymentMethod === "string" && { default_payment_method: paymentMethod }),
    },
    request,
    { schedule: schedule.id, cancel_at: schedule.end_behavior === "cancel" ? scheduleEnd(schedule) : null },
  );
  return core.store.update(schedule, {
    status: "active",
    subscription: subscription.id,
    current_phase: { start_date: phase.start_date, end_date: phase.end_date },
  });
}

/**
 * What a schedule on a test clock has due: its start, the end of its current phase (the next phase, or the end of
 * the schedule), and the notice a week before that end.
 */
export function scheduleDueWork(core: EmulatorCore, schedule: Schedule, from: number): DueWork[] {
  const work: DueWork[] = [];
  if (schedule.status === "not_started") {
    const start = schedule.phases[0]?.start_date as number;
    work.push({
      at: start,
      rank: 0,
      key: `${schedule.id} start`,
      run: () => {
        const previous = startSchedule(core, schedule, NO_REQUEST);
        core.events.emit("subscription_schedule.updated", schedule, NO_REQUEST, previous);
      },
    });
  }
  if (schedule.status === "active" && schedule.current_phase) {
    const phaseEnd = schedule.current_phase.end_date;
    work.push({ at: phaseEnd, rank: 1, key: `${schedule.id} phase ${phaseEnd}`, run: () => endPhase(core, schedule) });
  }
  const notice = scheduleEnd(schedule) - EXPIRING_NOTICE;
  const running = schedule.status === "not_started" || schedule.status === "active";
  if (running && notice > from && notice > schedule.created) {
    work.push({
      at: notice,
      rank: 3,
      key: `${schedule.id} expiring`,
      run: () => core.events.emit("subscription_schedule.expiring", schedule, NO_REQUEST),
    });
  }
  return work;
}

function endPhase(core: EmulatorCore, schedule: Schedule): void {
  const index = schedule.phases.findIndex((phase) => phase.start_date === schedule.current_phase?.start_date);
  const next = schedule.phases[index + 1];
  const subscription = managedSubscription(core, schedule);
  if (next) {
    if (subscription) applyPhase(core, subscription, next, NO_REQUEST);
    const previous = core.store.update(schedule, {
      current_phase: { start_date: next.start_date, end_date: next.end_date },
    });
    core.events.emit("subscription_schedule.updated", schedule, NO_REQUEST, previous);
    return;
  }
  // The last phase is over: `cancel` ends the subscription, `release` leaves it running on its own.
  if (subscription && subscription.status !== "canceled") {
    if (schedule.end_behavior === "cancel") cancelSubscription(core, subscription, NO_REQUEST);
    else {
      const previous = core.store.update(subscription, { schedule: null });
      core.events.emit("customer.subscription.updated", subscription, NO_REQUEST, previous);
    }
  }
  const previous = core.store.update(schedule, { status: "completed", completed_at: core.now(), current_phase: null });
  core.events.emit("subscription_schedule.completed", schedule, NO_REQUEST, previous);
}

export function managedSubscription(core: EmulatorCore, schedule: Schedule): Stripe.Subscription | undefined {
  if (typeof schedule.subscription !== "string") return undefined;
  return core.store.find(schedule.subscription) as Stripe.Subscription | undefined;
}
