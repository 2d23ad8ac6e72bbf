import type { Command } from "commander";
import { parsePort } from "../config.js";
import { DEFAULT_EMULATOR_PORT, startEmulator } from "../devkit/emulator/index.js";
import { ConfigError } from "../errors.js";
import { createLogger } from "../log.js";

export function registerEmulator(program: Command): void {
  program
    .command("emulator")
    .description("serve a local stand-in for the Stripe API that delivers signed webhooks")
    .option("--port <port>", `listen port (default ${DEFAULT_EMULATOR_PORT})`)
    .option("--host <host>", "listen address", "127.0.0.1")
    .option("--data <dir>", "keep the state in this directory across restarts (default: in memory only)")
    .action(async (flags: { port?: string; host: string; data?: string }) => {
      const port = flags.port === undefined ? DEFAULT_EMULATOR_PORT : parsePort(flags.port, "--port");
      const emulator = await startEmulator({
        host: flags.host,
        port,
        logger: createLogger(),
        ...(flags.data !== undefined && { dataDir: flags.data }),
      }).catch((error: unknown) => {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "EADDRINUSE") throw new ConfigError(`Port ${port} on ${flags.host} is in use: pass --port.`);
        throw error;
      });
      console.log(`Stripe API emulator listening on ${emulator.url}`);
      if (flags.data !== undefined)
        console.log(`State kept in ${flags.data} (POST ${emulator.url}/_emulator/reset empties it)`);
      console.log(`Point clients at it: STRIPE_API_BASE=${emulator.url} STRIPE_API_KEY=sk_test_anything`);
      const stop = () => void emulator.close().then(() => process.exit(0));
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
}
