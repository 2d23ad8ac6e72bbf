import { setTimeout as sleep } from "node:timers/promises";
import type Stripe from "stripe";
import type { Logger } from "../../log.js";
import { sign } from "../../verify/sign.js";
import type { AccountStores } from "./accounts.js";
import { eventTypeMatches } from "./events.js";
import type { FaultSettings } from "./faults.js";

/** Stripe's test mode retries a failed delivery three times over a few hours; tests pass milliseconds. */
export const DEFAULT_DELIVERY_RETRY_SCHEDULE_MS: readonly number[] = [60_000, 10 * 60_000, 60 * 60_000];

/**
 * A webhook endpoint as stored, secret included; the API never shows the secret after creation. `connect`: it
 * receives the connected accounts' events instead of its own account's.
 */
export type StoredEndpoint = Stripe.WebhookEndpoint & { secret: string; connect: boolean };

export interface DeliveryAttempt {
  eventId: string;
  eventType: string;
  endpointId: string;
  /** 1 for the first try, 2 for the first retry... */
  attempt: number;
  /** The endpoint's HTTP status, or null when it could not be reached. */
  status: number | null;
  duplicate: boolean;
  at: Date;
}

interface Job {
  event: Stripe.Event;
  endpointId: string;
  /** The account the endpoint belongs to (null: the platform). */
  owner: string | null;
  attempt: number;
}

export interface DeliveryOptions {
  accounts: AccountStores;
  retrySchedule: readonly number[];
  timeoutMs: number;
  faults: () => FaultSettings;
  /** The account's API version: what an endpoint created without `api_version` gets its events in. */
  apiVersion: string;
  log: Logger;
}

/**
 * Posts each event, signed, to every enabled endpoint whose `enabled_events` match it. Each endpoint gets its
 * events in the order they happened (unless the shuffle fault is on); a failed delivery is retried on the schedule.
 */
export class WebhookDelivery {
  readonly attempts: DeliveryAttempt[] = [];
  private readonly queues = new Map<string, Job[]>();
  private readonly draining = new Set<string>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private readonly aborter = new AbortController();
  private inFlight = 0;

  constructor(private readonly options: DeliveryOptions) {}

  /**
   * Queues the event for each matching endpoint; returns how many, Stripe's `pending_webhooks`. A connected
   * account's event goes to the platform's Connect endpoints and to the account's own; the platform's event to
   * the platform's other endpoints.
   */
  dispatch(event: Stripe.Event): number {
    const { accounts } = this.options;
    const account = event.account ?? null;
    const platform = accounts.platform.all<StoredEndpoint>("webhook_endpoint");
    const candidates: Array<{ endpoint: StoredEndpoint; owner: string | null }> = [
      ...platform
        .filter((endpoint) => endpoint.connect === (account !== null))
        .map((endpoint) => ({ endpoint, owner: null })),
      ...(account === null
        ? []
        : accounts
            .store(account)
            .all<StoredEndpoint>("webhook_endpoint")
            .filter((endpoint) => !endpoint.connect)
            .map((endpoint) => ({ endpoint, owner: account }))),
    ];
    const matching = candidates
      .filter(({ endpoint }) => endpoint.status === "enabled")
      .filter(({ endpoint }) => endpoint.enabled_events.some((pattern) => eventTypeMatches(pattern, event.type)));
    for (const { endpoint, owner } of matching) this.enqueue({ event, endpointId: endpoint.id, owner, attempt: 1 });
    return matching.length;
  }

  /** True when nothing is queued, being sent, or (with `includeRetries`) waiting to be retried. */
  idle(includeRetries: boolean): boolean {
    const queued = [...this.queues.values()].some((queue) => queue.length > 0);
    return (
      !queued && this.draining.size === 0 && this.inFlight === 0 && (!includeRetries || this.retryTimers.size === 0)
    );
  }

  close(): void {
    this.clear();
    this.aborter.abort();
  }

  /** Drops queued deliveries, retries and the attempts so far: `POST /_emulator/reset`. */
  clear(): void {
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    for (const queue of this.queues.values()) queue.length = 0;
    this.attempts.length = 0;
  }

  private enqueue(job: Job): void {
    const queue = this.queues.get(job.endpointId) ?? [];
    queue.push(job);
    this.queues.set(job.endpointId, queue);
    if (!this.draining.has(job.endpointId)) {
      this.draining.add(job.endpointId);
      void this.drain(job.endpointId);
    }
  }

  private async drain(endpointId: string): Promise<void> {
    // Let the rest of the API call's events join the batch, so the shuffle fault has something to shuffle.
    await new Promise((resolve) => setImmediate(resolve));
    const faults = this.options.faults();
    // Cut short by close(), so a stopped emulator leaves no timer behind; the loop below then sees the abort.
    if (faults.deliveryDelayMs) {
      await sleep(faults.deliveryDelayMs, undefined, { signal: this.aborter.signal }).catch(() => {});
    }
    for (;;) {
      const batch = this.queues.get(endpointId)?.splice(0) ?? [];
      if (batch.length === 0 || this.aborter.signal.aborted) {
        // In the same turn as the empty check, so a job queued after it starts a drain of its own.
        this.draining.delete(endpointId);
        return;
      }
      if (this.options.faults().shuffleDeliveries) shuffle(batch);
      for (const job of batch) {
        await this.attempt(job, false);
        if (this.options.faults().duplicateDeliveries) await this.attempt(job, true);
      }
    }
  }

  private async attempt(job: Job, duplicate: boolean): Promise<void> {
    const endpoint = this.options.accounts.store(job.owner).find(job.endpointId) as StoredEndpoint | undefined;
    if (endpoint?.status !== "enabled") return;
    // Stripe renders each endpoint's events in the endpoint's API version. The emulator speaks only the installed
    // package's version, so the objects keep that shape and the event names the version it was sent as.
    const apiVersion = endpoint.api_version ?? this.options.apiVersion;
    const body = JSON.stringify({ ...job.event, api_version: apiVersion }, null, 2);
    this.inFlight++;
    let status: number | null = null;
    try {
      const response = await fetch(endpoint.url, {
        method: "POST",
        headers: {
          "content-type": "application/json; charset=utf-8",
          "user-agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
          "stripe-signature": sign(body, { secret: endpoint.secret }),
        },
        body,
        // Stripe counts a redirect as a failed delivery instead of following it.
        redirect: "manual",
        signal: AbortSignal.any([this.aborter.signal, AbortSignal.timeout(this.options.timeoutMs)]),
      });
      status = response.status;
      await response.arrayBuffer();
    } catch (error) {
      this.options.log.debug({ err: error, url: endpoint.url }, "webhook delivery failed");
    } finally {
      this.inFlight--;
    }
    if (this.aborter.signal.aborted) return;
    this.attempts.push({
      eventId: job.event.id,
      eventType: job.event.type,
      endpointId: job.endpointId,
      attempt: job.attempt,
      status,
      duplicate,
      at: new Date(),
    });
    if (duplicate) return;
    if (status !== null && status >= 200 && status < 300) {
      const { event } = job;
      const store = this.options.accounts.store(event.account ?? null);
      // Through the store, so the journal keeps it; an event emptied away by a reset meanwhile is left alone.
      if (store.find(event.id) === event) {
        store.update(event, { pending_webhooks: Math.max(0, event.pending_webhooks - 1) });
      }
    } else {
      this.scheduleRetry(job);
    }
  }

  private scheduleRetry(job: Job): void {
    const delay = this.options.retrySchedule[job.attempt - 1];
    if (delay === undefined) return; // out of retries: the event stays pending, as Stripe leaves it
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      this.enqueue({ ...job, attempt: job.attempt + 1 });
    }, delay);
    timer.unref();
    this.retryTimers.add(timer);
  }
}

function shuffle<T>(items: T[]): void {
  for (let index = items.length - 1; index > 0; index--) {
    const other = Math.floor(Math.random() * (index + 1));
    [items[index], items[other]] = [items[other] as T, items[index] as T];
  }
}
