import type { Command } from "commander";
import { createInbox } from "../create-inbox.js";
import { ConfigError } from "../errors.js";
import { createLogger } from "../log.js";
import { loadHandlers } from "./load-handlers.js";
import { resolveConfig, type StoreFlags, withStoreOptions } from "./options.js";

const SHUTDOWN_GRACE_MS = 30_000;

export function registerWorker(program: Command): void {
  withStoreOptions(program.command("worker").description("run handlers from the inbox, without receiving webhooks"))
    .requiredOption("--handlers <module>", "ES module whose default export registers handlers: (inbox) => void")
    .option("--concurrency <n>", "handlers running at once", "8")
    .option("--lease <ms>", "how long a claim is this worker's before another may take it over", "300000")
    .action(async (flags: StoreFlags & { handlers: string; concurrency: string; lease: string }) => {
      const config = resolveConfig(flags);
      const concurrency = Number(flags.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1)
        throw new ConfigError("--concurrency must be a positive integer.");
      const leaseMs = Number(flags.lease);
      if (!Number.isInteger(leaseMs) || leaseMs < 1) throw new ConfigError("--lease must be a positive number of ms.");
      const log = createLogger();
      const inbox = createInbox({
        database: config.databaseUrl,
        dataDir: config.dataDir,
        schema: config.schema,
        stripeApiKey: config.stripeApiKey,
        stripeApiBase: config.stripeApiBase,
        logger: log,
        workers: { concurrency, leaseMs },
      });
      await loadHandlers(flags.handlers, inbox);
      await inbox.start();
      const stop = async () => {
        await inbox.stop(SHUTDOWN_GRACE_MS);
        process.exit(0);
      };
      process.once("SIGTERM", stop);
      process.once("SIGINT", stop);
    });
}
