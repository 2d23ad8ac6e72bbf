import type { Command } from "commander";
import { postSignedEvent } from "../devkit/post-signed.js";
import { samplePaymentIntentEvent } from "../devkit/sample-event.js";
import { localWebhookEndpoint } from "./local-endpoint.js";

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
      const { url, secret } = localWebhookEndpoint(flags);
      const response = await postSignedEvent(url, samplePaymentIntentEvent({ type: flags.type }), secret);
      console.log(`${response.status} ${await response.text()}`);
      if (!response.ok) process.exitCode = 1;
    });
}
