import type { Command } from "commander";
import { createInbox } from "../create-inbox.js";
import { ALERT_DESTINATION_ENV, createAlerts } from "../dashboard/alerts.js";
import { ConfigError } from "../errors.js";
import { createLogger } from "../log.js";
import { mirrorSetting, withRevalidation } from "../mirror/cli-option.js";
import { formatRetention } from "../retention/duration.js";
import { DEFAULT_CONCURRENCY } from "../worker/worker.js";
import { breakerAlert, pauseAfterFailuresFromEnv } from "./handlers.js";
import { loadHandlers } from "./load-handlers.js";
import {
  PRUNE_EVERY_HELP,
  parseLease,
  resolveConfig,
  retentionOption,
  type StoreFlags,
  withStoreOptions,
} from "./options.js";

const SHUTDOWN_GRACE_MS = 30_000;

type WorkerFlags = StoreFlags & {
  handlers?: string;
  concurrency: string;
  lease?: string;
  mirror?: string | boolean;
  revalidate?: string;
  retention?: string;
  pruneEvery?: string;
};

export function registerWorker(program: Command): void {
  withStoreOptions(program.command("worker").description("run handlers from the inbox, without receiving webhooks"))
    .option("--handlers <module>", "ES module whose default export registers handlers: (inbox) => void")
    .option("--mirror [schema]", "apply events to the Postgres mirror (env STRIPE_INBOX_MIRROR; schema: stripe)")
    .option(
      "--revalidate <types>",
      "mirror these types as the API has them, e.g. subscriptions,invoices (env STRIPE_INBOX_MIRROR_REVALIDATE)",
    )
    .option("--concurrency <n>", "handlers running at once", String(DEFAULT_CONCURRENCY))
    .option(
      "--retention <duration>",
      "keep handled events this long, then prune them: 30d, 12h, or off (env STRIPE_INBOX_RETENTION, default 90d)",
    )
    .option("--prune-every <duration>", PRUNE_EVERY_HELP)
    .option(
      "--lease <duration>",
      "how long a claimed run is this worker's before another worker may take it over (default 5m)",
    )
    .action(async (flags: WorkerFlags) => {
      const config = resolveConfig(flags);
      const mirror = mirrorSetting(flags.mirror);
      if (!flags.handlers && !mirror) throw new ConfigError("worker needs --handlers <module>, --mirror, or both.");
      const concurrency = Number(flags.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1)
        throw new ConfigError("--concurrency must be a positive integer.");
      const leaseMs = parseLease(flags.lease);
      const retention = retentionOption(config, flags);
      const retentionMs = retention === false ? null : retention.keep;
      const log = createLogger();
      // The circuit breaker may trip here: only the process whose pause row was written sends the alert.
      const alertDestination = process.env[ALERT_DESTINATION_ENV];
      const alerts = alertDestination ? createAlerts({ destination: alertDestination, log }) : undefined;
      const inbox = createInbox({
        database: config.database,
        dataDir: config.dataDir,
        schema: config.schema,
        stripe: config.stripe,
        logger: log,
        workers: {
          concurrency,
          pauseAfterFailures: pauseAfterFailuresFromEnv(),
          ...(leaseMs !== undefined && { leaseMs }),
        },
        mirror: withRevalidation(mirror, flags.revalidate),
        retention,
        onHandlerPaused: (pause) => alerts?.announce(breakerAlert(pause)),
      });
      if (flags.handlers) await loadHandlers(flags.handlers, inbox);
      await inbox.start();
      log.info({ concurrency, retention: formatRetention(retentionMs) }, "worker started");
      const stop = async () => {
        await inbox.stop(SHUTDOWN_GRACE_MS);
        process.exit(0);
      };
      process.once("SIGTERM", stop);
      process.once("SIGINT", stop);
    });
}
