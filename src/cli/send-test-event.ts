import type { Command } from "commander";
import { postSignedEvent } from "../devkit/post-signed.js";
import { localWebhookEndpoint } from "./local-endpoint.js";
import { testEventOfType, testEventTypes } from "./test-events.js";

interface SendFlags {
  url?: string;
  port?: string;
  host?: string;
  type: string;
  dataDir?: string;
  list?: boolean;
  json?: boolean;
}

export function registerSendTestEvent(program: Command): void {
  program
    .command("send-test-event")
    .description("sign a realistic event of a type with the configured or dev secret and post it to a running serve")
    .option("--url <url>", "webhook URL (default: http://HOST:PORT/webhooks/stripe)")
    .option("--port <port>", "port of the running serve (env PORT, default 4242)")
    .option("--host <host>", "host of the running serve (env HOST, default 127.0.0.1)")
    .option("--type <type>", "event type; --list names them", "payment_intent.succeeded")
    .option("--list", "list the event types it can send")
    .option("--data-dir <dir>", "where serve keeps its dev secret (env STRIPE_INBOX_DATA_DIR)")
    .option("--json", "print the event's id and type and the endpoint's answer as JSON")
    .action(async (flags: SendFlags) => {
      if (flags.list) {
        const types = testEventTypes();
        return console.log(flags.json ? JSON.stringify(types, null, 2) : types.join("\n"));
      }
      // The endpoint and secret first: a missing secret is reported before any event is built.
      const { url, secret } = localWebhookEndpoint(flags);
      const event = await testEventOfType(flags.type);
      const response = await postSignedEvent(url, JSON.stringify({ ...event, pending_webhooks: 1 }, null, 2), secret);
      const answer = await response.text();
      if (flags.json) {
        const object = event.data.object as { id?: string; object?: string };
        console.log(
          JSON.stringify(
            {
              event: { id: event.id, type: event.type, object: object.object, object_id: object.id },
              url,
              status: response.status,
              answer: parseJson(answer),
            },
            null,
            2,
          ),
        );
      } else console.log(`${response.status} ${answer}`);
      if (!response.ok) process.exitCode = 1;
    });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
