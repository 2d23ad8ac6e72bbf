import type { Logger } from "pino";
import { quoteIdent } from "../store/migrate.js";
import type { Queryable } from "../store/store.js";

/** A webhook endpoint created through the Stripe API, with the signing secret Stripe showed once. */
export interface StoredEndpoint {
  endpointId: string;
  url: string;
  secret: string;
  enabledEvents: readonly string[];
  livemode: boolean;
  apiBase: string;
}

type Database = Queryable & { readonly schema: string };

export async function storeWebhookSecret(db: Database, endpoint: StoredEndpoint): Promise<void> {
  await db.query(
    `INSERT INTO ${quoteIdent(db.schema)}.webhook_secrets (endpoint_id, url, secret, enabled_events, livemode, api_base)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [
      endpoint.endpointId,
      endpoint.url,
      endpoint.secret,
      [...endpoint.enabledEvents],
      endpoint.livemode,
      endpoint.apiBase,
    ],
  );
}

/** Every stored secret, newest first. */
export async function loadWebhookSecrets(db: Database): Promise<string[]> {
  const rows = await db.query<{ secret: string }>(
    `SELECT secret FROM ${quoteIdent(db.schema)}.webhook_secrets ORDER BY created_at DESC, endpoint_id`,
  );
  return rows.map((row) => row.secret);
}

export interface WebhookSecretsOptions {
  /** STRIPE_WEBHOOK_SECRET's values: always accepted, and listed first. */
  configured: readonly string[];
  /** Reads the stored secrets; failures keep the last ones loaded. */
  load: () => Promise<string[]>;
  log: Logger;
  /** At most one load per interval, however many deliveries fail to verify (forged ones included). */
  minReloadMs?: number;
  /** A background reload, so a removed secret stops being accepted. */
  refreshMs?: number;
}

export const DEFAULT_MIN_RELOAD_MS = 250;
export const DEFAULT_REFRESH_MS = 60_000;

/**
 * The secrets a receiver accepts: the configured ones plus those stored by `register`, cached in memory so that
 * verifying a delivery costs no query. `reload()` is single-flight and rate-limited.
 */
export class WebhookSecrets {
  private all: readonly string[];
  private stored: readonly string[] = [];
  private lastStartedAt = Number.NEGATIVE_INFINITY;
  private running: Promise<void> | null = null;
  private next: Promise<void> | null = null;
  private refreshTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly minReloadMs: number;

  constructor(private readonly options: WebhookSecretsOptions) {
    this.all = options.configured;
    this.minReloadMs = options.minReloadMs ?? DEFAULT_MIN_RELOAD_MS;
  }

  /** No query: the last loaded set. */
  current(): readonly string[] {
    return this.all;
  }

  /**
   * Resolves once a load that began after this call has finished (or failed), so a secret committed before the
   * call is seen. Concurrent callers share one load; loads are at least `minReloadMs` apart.
   */
  reload(): Promise<void> {
    if (this.closed) return Promise.resolve();
    // A load already running may have read the table before the caller's secret was committed: wait for the next.
    this.next ??= this.scheduleLoad();
    return this.next;
  }

  /** Starts the background refresh; idempotent. */
  startRefreshing(): void {
    if (this.refreshTimer || this.closed) return;
    this.refreshTimer = setInterval(() => void this.reload(), this.options.refreshMs ?? DEFAULT_REFRESH_MS);
    this.refreshTimer.unref();
  }

  close(): void {
    this.closed = true;
    clearInterval(this.refreshTimer);
  }

  private async scheduleLoad(): Promise<void> {
    // Always yields first (even on `await null`), so reload() has published `next` before it is cleared below.
    await this.running;
    const wait = this.lastStartedAt + this.minReloadMs - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait).unref());
    // Callers from now on need a load that starts after them, which this one would not be.
    this.next = null;
    if (this.closed) return;
    await this.startLoad();
  }

  private startLoad(): Promise<void> {
    this.lastStartedAt = performance.now();
    const done = this.options
      .load()
      .then((secrets) => this.replaceStored(secrets))
      .catch((error: unknown) =>
        // The error is the store's (connection, SQL); it never holds a secret value.
        this.options.log.warn({ err: error }, "could not load the stored webhook secrets; keeping the last ones"),
      )
      .finally(() => {
        if (this.running === done) this.running = null;
      });
    this.running = done;
    return done;
  }

  private replaceStored(secrets: readonly string[]): void {
    const changed = secrets.length !== this.stored.length || secrets.some((secret, i) => secret !== this.stored[i]);
    if (!changed) return;
    this.options.log.info(
      { stored: secrets.length, previously: this.stored.length },
      "webhook secrets stored by `register` reloaded",
    );
    this.stored = secrets;
    this.all = [...new Set([...this.options.configured, ...secrets])];
  }
}

/** What `register` stored about an endpoint, without its secret: for `doctor`, which checks it still exists. */
export interface StoredEndpointSummary {
  endpointId: string;
  url: string;
  apiBase: string;
  livemode: boolean;
  createdAt: string;
}

export async function listStoredEndpoints(db: Database): Promise<StoredEndpointSummary[]> {
  return db.query<StoredEndpointSummary>(
    `SELECT endpoint_id AS "endpointId", url, api_base AS "apiBase", livemode,
            to_json(created_at)#>>'{}' AS "createdAt"
       FROM ${quoteIdent(db.schema)}.webhook_secrets ORDER BY created_at, endpoint_id`,
  );
}
