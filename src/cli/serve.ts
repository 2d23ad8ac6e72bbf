import type { AddressInfo } from "node:net";
import type { Command } from "commander";
import { createInbox } from "../create-inbox.js";
import { ConfigError } from "../errors.js";
import { createInboxServer } from "../http/server.js";
import { createLogger } from "../log.js";
import { loadOrCreateDevSecret } from "./dev-secret.js";
import { loadHandlers } from "./load-handlers.js";
import { resolveConfig, type StoreFlags, withStoreOptions } from "./options.js";

const SHUTDOWN_GRACE_MS = 10_000;
const START_RETRY_MS = 2_000;

export function registerServe(program: Command): void {
  withStoreOptions(program.command("serve").description("receive Stripe webhooks (what `npm start` runs)"))
    .option("--port <port>", "listen port (env PORT, default 4242)")
    .option("--host <host>", "listen address (env HOST, default 127.0.0.1)")
    .option("--handlers <module>", "ES module whose default export registers handlers, run by in-process workers")
    .action(async (flags: ServeFlags) => serve(flags));
}

type ServeFlags = StoreFlags & { port?: string; host?: string; handlers?: string };

async function serve(flags: ServeFlags): Promise<void> {
  const config = resolveConfig(flags);
  const log = createLogger();
  const devSecret = config.secrets.length === 0 ? loadOrCreateDevSecret(config.dataDir) : null;
  const inbox = createInbox({
    secret: devSecret ? [devSecret.secret] : config.secrets,
    database: config.databaseUrl,
    dataDir: config.dataDir,
    schema: config.schema,
    stripeApiKey: config.stripeApiKey,
    stripeApiBase: config.stripeApiBase,
    toleranceSeconds: config.toleranceSeconds,
    maxBodyBytes: config.maxBodyBytes,
    path: config.path,
    logger: log,
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

  const server = createInboxServer({ receive: inbox.receive, readiness: inbox.readiness, path: config.path, log });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE"
          ? new ConfigError(`Port ${config.port} is already in use; set PORT or --port.`)
          : error,
      ),
    );
    server.listen(config.port, config.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}${config.path}`;
  log.info({ url, engine: config.databaseUrl ? "postgres" : "pglite" }, "listening");
  printBanner(url, config.databaseUrl ? "Postgres (DATABASE_URL)" : `PGlite in ${config.dataDir}`, devSecret);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping: no new connections, finishing in-flight commits");
    await server.stopGracefully(SHUTDOWN_GRACE_MS);
    await inbox.stop();
    log.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

function printBanner(url: string, engine: string, devSecret: { secret: string; created: boolean } | null): void {
  const lines = [``, `  stripe-inbox is receiving Stripe webhooks at ${url}`, `  store: ${engine}`];
  if (devSecret) {
    lines.push(
      `  dev webhook secret (${devSecret.created ? "new" : "kept"} in the data dir): ${devSecret.secret}`,
      `  send a signed test event:  npx stripe-inbox send-test-event`,
    );
  }
  console.log(`${lines.join("\n")}\n`);
}
