import type { AddressInfo } from "node:net";
import type { Command } from "commander";
import type { Logger } from "pino";
import { createInbox } from "../create-inbox.js";
import { ADMIN_TOKEN_ENV, isLoopbackAddress } from "../dashboard/admin-auth.js";
import { advertiseServer } from "../dashboard/admin-client.js";
import { ALERT_DESTINATION_ENV, createAlerts } from "../dashboard/alerts.js";
import { createDashboard } from "../dashboard/dashboard.js";
import { ConfigError } from "../errors.js";
import { createInboxServer } from "../http/server.js";
import { serverLimits } from "../http/server-limits.js";
import { createLogger } from "../log.js";
import { parseAccounts } from "../mirror/accounts.js";
import { mirrorSetting, withRevalidation } from "../mirror/cli-option.js";
import { DEFAULT_MIRROR_SCHEMA } from "../mirror/migrate.js";
import { scheduleReconcile } from "../mirror/reconcile-schedule.js";
import { formatRetention } from "../retention/duration.js";
import { checkStripeApi } from "../stripe-api.js";
import { loadOrCreateDevSecret } from "./dev-secret.js";
import { breakerAlert, pauseAfterFailuresFromEnv } from "./handlers.js";
import { type LimitFlags, resolveLimits, withLimitOptions } from "./limit-flags.js";
import { loadHandlers } from "./load-handlers.js";
import {
  PRUNE_EVERY_HELP,
  parseLease,
  resolveConfig,
  retentionOption,
  type StoreFlags,
  withStoreOptions,
} from "./options.js";
import { parseEvery } from "./reconcile.js";
import { isSupervisor, parseProcesses, processIndex, superviseProcesses } from "./serve-processes.js";

const SHUTDOWN_GRACE_MS = 10_000;
const START_RETRY_MS = 2_000;

export function registerServe(program: Command): void {
  withLimitOptions(
    withStoreOptions(program.command("serve").description("receive Stripe webhooks (what `npm start` runs)")),
  )
    .option("--port <port>", "listen port (env PORT, default 4242)")
    .option("--host <host>", "listen address (env HOST, default 127.0.0.1)")
    .option("--handlers <module>", "ES module whose default export registers handlers, run by in-process workers")
    .option("--processes <n>", "serve from n processes sharing the port, on Postgres (default 1)")
    .option(
      "--lease <duration>",
      "how long a claimed run is this process's before another worker may take it over (default 5m)",
    )
    .option("--mirror [schema]", "keep the Postgres mirror of Stripe objects (env STRIPE_INBOX_MIRROR; schema: stripe)")
    .option(
      "--retention <duration>",
      "keep handled events this long, then prune them: 30d, 12h, or off (env STRIPE_INBOX_RETENTION, default 90d)",
    )
    .option("--prune-every <duration>", PRUNE_EVERY_HELP)
    .option(
      "--revalidate <types>",
      "mirror these types as the API has them, e.g. subscriptions,invoices (env STRIPE_INBOX_MIRROR_REVALIDATE)",
    )
    .option(
      "--reconcile-every <interval>",
      "store the events Stripe has that the inbox missed, every 30m, 1h...",
      parseEvery,
    )
    .option(
      "--reconcile-account <list>",
      "with --reconcile-every: connected accounts acct_1,acct_2 (Stripe-Account), and platform (default platform)",
    )
    .action(async (flags: ServeFlags) => serve(flags));
}

type ServeFlags = StoreFlags &
  LimitFlags & {
    port?: string;
    host?: string;
    handlers?: string;
    lease?: string;
    mirror?: string | boolean;
    revalidate?: string;
    reconcileEvery?: number;
    reconcileAccount?: string;
    retention?: string;
    pruneEvery?: string;
    processes?: string;
  };

async function serve(flags: ServeFlags): Promise<void> {
  const config = resolveConfig(flags);
  const leaseMs = parseLease(flags.lease);
  const retention = retentionOption(config, flags);
  const retentionMs = retention === false ? null : retention.keep;
  const limits = resolveLimits(flags);
  // Checked before anything starts: a bad combination must not leave migrations and workers behind.
  serverLimits(limits.server);
  const alertDestination = process.env[ALERT_DESTINATION_ENV];
  const thresholds = alertThresholds();
  const log = createLogger();
  const processes = parseProcesses(flags.processes);
  if (processes > 1 && !config.database) {
    throw new ConfigError("--processes needs Postgres (DATABASE_URL): a PGlite data directory belongs to one process.");
  }
  if (isSupervisor(processes)) return superviseProcesses(processes, log);
  // Schedules that must run once per deployment (pruning, reconciling) run in the first process only.
  const first = processIndex() === 0;
  const mirror = mirrorSetting(flags.mirror);
  const devSecret = config.secret.length === 0 ? loadOrCreateDevSecret(config.dataDir) : null;
  const alerts = alertDestination ? createAlerts({ destination: alertDestination, thresholds, log }) : undefined;
  if (flags.reconcileAccount !== undefined && flags.reconcileEvery === undefined) {
    throw new ConfigError("--reconcile-account needs --reconcile-every: it names whose events the schedule lists.");
  }
  // The API key is checked before the inbox starts: a missing one must not leave migrations and workers behind.
  if (flags.reconcileEvery !== undefined) checkStripeApi(config.stripe, "--reconcile-every");
  const reconciling =
    flags.reconcileEvery === undefined
      ? undefined
      : {
          everyMs: flags.reconcileEvery,
          ...(flags.reconcileAccount !== undefined && {
            accounts: parseAccounts(flags.reconcileAccount, "--reconcile-account"),
          }),
        };
  // On Postgres, a serve without handlers only receives: `stripe-inbox worker` processes run the handlers, and
  // an in-process worker knowing none would mark their events `no_handler` first. On PGlite nothing else can.
  const runsWorkers = Boolean(flags.handlers || mirror || !config.database);
  const inbox = createInbox({
    ...config,
    secret: devSecret ? [devSecret.secret] : config.secret,
    retention: first ? retention : false,
    ...(limits.maxUnverifiedBytes !== undefined && {
      receive: { ...config.receive, maxUnverifiedBytes: limits.maxUnverifiedBytes },
    }),
    logger: log,
    mirror: withRevalidation(mirror, flags.revalidate),
    workers: runsWorkers
      ? { pauseAfterFailures: pauseAfterFailuresFromEnv(), ...(leaseMs !== undefined && { leaseMs }) }
      : false,
    onHandlerPaused: (pause) => alerts?.announce(breakerAlert(pause)),
  });
  if (flags.handlers) await loadHandlers(flags.handlers, inbox);
  try {
    await inbox.start();
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    // Keep serving: deliveries get 503 (Stripe retries) and /readyz says why until the database is back;
    // meanwhile keep trying to start, so the workers come up with it.
    log.error({ err: error }, "the store is not available yet; answering 503 until it is");
    const retry = setInterval(() => {
      inbox.start().then(
        () => clearInterval(retry),
        () => {},
      );
    }, START_RETRY_MS);
    retry.unref();
  }
  const stopReconciling =
    first && reconciling ? scheduleReconcile({ ...reconciling, reconcile: inbox.reconcile, log }) : undefined;

  const adminToken = process.env[ADMIN_TOKEN_ENV] || null;
  const dashboard = createDashboard({
    store: inbox.store,
    metrics: inbox.metrics,
    token: adminToken,
    log,
    mirrorSchema: mirrorSchemaOf(mirror),
    alerts,
    handlers: inbox.handlers,
    retentionMs,
  });
  const server = createInboxServer({
    receive: inbox.receive,
    readiness: inbox.readiness,
    path: inbox.path,
    log,
    metrics: inbox.metrics,
    dashboard: dashboard.routes,
    limits: limits.server,
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE"
          ? new ConfigError(`Port ${config.listen.port} is already in use; set PORT or --port.`)
          : error,
      ),
    );
    server.listen(config.listen.port, config.listen.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const { host } = config.listen;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}${inbox.path}`;
  const kept = formatRetention(retentionMs);
  log.info({ url, engine: config.database ? "postgres" : "pglite", retention: kept }, "listening");
  if (first)
    printBanner(
      url,
      config.database ? "Postgres (DATABASE_URL)" : `PGlite in ${config.dataDir}`,
      retentionLine(kept, runsWorkers),
      devSecret,
    );
  const dashboardUrl = new URL("/", url).href;
  // On PGlite this process holds the data dir: other commands reach the data through its admin API.
  const advertised = config.database ? null : advertiseServer(config.dataDir, localUrl(host, port));
  // The banner and the dashboard's address are printed once, by the first process.
  if (first) announceDashboard(dashboardUrl, host, adminToken, log);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping: no new connections, finishing in-flight commits");
    dashboard.stop();
    advertised?.withdraw();
    // No reconcile may start while the inbox it records into is closing.
    stopReconciling?.();
    await server.stopGracefully(SHUTDOWN_GRACE_MS);
    await inbox.stop();
    // A breaker's pause while the workers stopped, or a recovery, is still on its way to the alert destination.
    await alerts?.flush();
    log.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

function announceDashboard(url: string, host: string, adminToken: string | null, log: Logger): void {
  if (adminToken) console.log(`  dashboard: ${url} (admin token required)\n`);
  else if (isLoopbackAddress(host))
    console.log(`  dashboard: ${url} (no ${ADMIN_TOKEN_ENV}: served on loopback only)\n`);
  else log.warn(`the dashboard and admin API answer 403: ${host} is beyond loopback and ${ADMIN_TOKEN_ENV} is not set`);
}

function mirrorSchemaOf(setting: ReturnType<typeof mirrorSetting>): string | null {
  return setting === false ? null : (setting.schema ?? DEFAULT_MIRROR_SCHEMA);
}

/** How a process on this machine reaches the server: a wildcard listen address is reached through loopback. */
function localUrl(host: string, port: number): string {
  const local = host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host;
  return `http://${local.includes(":") ? `[${local}]` : local}:${port}`;
}

function alertThresholds() {
  const seconds = process.env.STRIPE_INBOX_ALERT_PENDING_SECONDS;
  if (seconds === undefined || seconds === "") return {};
  const value = Number(seconds);
  if (!(Number.isFinite(value) && value > 0)) {
    throw new ConfigError(`STRIPE_INBOX_ALERT_PENDING_SECONDS must be a positive number of seconds, not "${seconds}".`);
  }
  return { oldestPendingSeconds: value };
}

function retentionLine(retention: string, runsWorkers: boolean): string {
  if (retention === "off") return "retention: off (every event is kept; `stripe-inbox prune` removes on demand)";
  const where = runsWorkers ? "this process prunes about hourly" : "the `stripe-inbox worker` processes prune them";
  return `retention: ${retention} (handled events older than that are removed; ${where})`;
}

function printBanner(
  url: string,
  engine: string,
  retention: string,
  devSecret: { secret: string; created: boolean } | null,
): void {
  const lines = [``, `  stripe-inbox is receiving Stripe webhooks at ${url}`, `  store: ${engine}`, `  ${retention}`];
  if (devSecret) {
    lines.push(
      `  dev webhook secret (${devSecret.created ? "new" : "kept"} in the data dir): ${devSecret.secret}`,
      `  send a signed test event:  npx stripe-inbox send-test-event`,
    );
  }
  console.log(`${lines.join("\n")}\n`);
}
