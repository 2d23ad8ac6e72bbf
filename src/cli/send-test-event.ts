import type { Command } from "commander";
import { parseSecrets } from "../config.js";
import { samplePaymentIntentEvent } from "../devkit/sample-event.js";
import { ConfigError } from "../errors.js";
import { sign } from "../verify/sign.js";
import { readDevSecret } from "./dev-secret.js";
import { resolveConfig } from "./options.js";

export function registerSendTestEvent(program: Command): void {
  program
    .command("send-test-event")
    .description("sign a sample event with the configured or dev secret and post it to a running serve")
    .option("--url <url>", "webhook URL (default: http://HOST:PORT/webhooks/stripe)")
    .option("--port <port>", "port of the running serve (env PORT, default 4242)")
    .option("--host <host>", "host of the running serve (env HOST, default 127.0.0.1)")
    .option("--type <type>", "event type", "payment_intent.succeeded")
    .option("--data-dir <dir>", "where serve keeps its dev secret (env STRIPE_INBOX_DATA_DIR)")
    .action(async (flags: { url?: string; port?: string; host?: string; type: string; dataDir?: string }) => {
      const config = resolveConfig(flags);
      const secret = parseSecrets(process.env.STRIPE_WEBHOOK_SECRET)[0] ?? readDevSecret(config.dataDir);
      if (!secret) {
        throw new ConfigError(
          `No secret: set STRIPE_WEBHOOK_SECRET, or start \`stripe-inbox serve\` once to make a dev secret in ${config.dataDir}.`,
        );
      }
      const url = flags.url ?? `http://${config.host}:${config.port}${config.path}`;
      const body = samplePaymentIntentEvent({ type: flags.type });
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", "stripe-signature": sign(body, { secret }) },
        body,
      }).catch((error: unknown) => {
        throw new ConfigError(
          `Could not reach ${url}: ${(error as Error).cause ?? error}. Is \`stripe-inbox serve\` running?`,
        );
      });
      console.log(`${response.status} ${await response.text()}`);
      if (!response.ok) process.exitCode = 1;
    });
}
