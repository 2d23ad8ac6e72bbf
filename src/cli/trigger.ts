import type { Command } from "commander";
import { DEFAULT_EMULATOR_PORT } from "../devkit/emulator/index.js";
import { type FixtureEdits, trigger, triggerDirect, triggerEvents } from "../devkit/trigger/index.js";
import { ConfigError } from "../errors.js";
import { localWebhookEndpoint } from "./local-endpoint.js";

const LOCAL_EMULATOR = `http://127.0.0.1:${DEFAULT_EMULATOR_PORT}`;

interface TriggerFlags {
  override: string[];
  add: string[];
  remove: string[];
  skip: string[];
  fixture?: string;
  apiBase?: string;
  apiKey?: string;
  list?: boolean;
  direct?: boolean;
  json?: boolean;
  url?: string;
  dataDir?: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerTrigger(program: Command): void {
  program
    .command("trigger [event]")
    .description(
      "make the API calls that cause a Stripe event, as `stripe trigger` does (the local emulator by default)",
    )
    .option("--override <name:param=value>", "replace a param of a fixture request (repeatable)", collect, [])
    .option("--add <name:param=value>", "add a param to a fixture request (repeatable)", collect, [])
    .option("--remove <name:param>", "remove a param from a fixture request (repeatable)", collect, [])
    .option("--skip <name>", "skip a fixture request (repeatable)", collect, [])
    .option("--fixture <file>", "run a Stripe CLI fixture JSON file instead of the built-in one")
    .option("--api-base <url>", `Stripe API base (env STRIPE_API_BASE, default the emulator at ${LOCAL_EMULATOR})`)
    .option("--api-key <key>", "secret key (env STRIPE_API_KEY; any sk_test_ key for the emulator)")
    .option("--list", "list the events with built-in fixtures")
    .option("--direct", "post the signed events straight to a webhook endpoint, with no Stripe API running")
    .option("--url <url>", "with --direct: the endpoint (default http://HOST:PORT/webhooks/stripe)")
    .option("--data-dir <dir>", "with --direct: where serve keeps its dev secret (env STRIPE_INBOX_DATA_DIR)")
    .option("--json", "print JSON: the list, the events posted (--direct) or the API calls made")
    .action(async (event: string | undefined, flags: TriggerFlags) => {
      if (flags.list) {
        console.log(flags.json ? JSON.stringify(triggerEvents(), null, 2) : triggerEvents().join("\n"));
        return;
      }
      const edits: FixtureEdits = { override: flags.override, add: flags.add, remove: flags.remove, skip: flags.skip };
      const fixture = flags.fixture === undefined ? {} : { fixturePath: flags.fixture };
      const onRequest = (name: string) => {
        if (!flags.json) console.log(`Setting up fixture for: ${name}`);
      };
      if (flags.direct) {
        const { url, secret } = localWebhookEndpoint(flags);
        const deliveries = await triggerDirect(event, { ...edits, ...fixture, onRequest, url, secret });
        if (flags.json) {
          const posted = deliveries.map(({ event: sent, status }) => ({ id: sent.id, type: sent.type, status }));
          console.log(JSON.stringify(posted, null, 2));
        } else for (const { event: sent, status } of deliveries) console.log(`--> ${sent.type} [${sent.id}] ${status}`);
        if (deliveries.some(({ status }) => status < 200 || status >= 300)) process.exitCode = 1;
        return;
      }
      const apiBase = flags.apiBase ?? process.env.STRIPE_API_BASE ?? LOCAL_EMULATOR;
      const apiKey =
        flags.apiKey ?? process.env.STRIPE_API_KEY ?? (isLoopback(apiBase) ? "sk_test_emulator" : undefined);
      if (!apiKey)
        throw new ConfigError(`trigger calls ${apiBase}: set STRIPE_API_KEY (sk_test_...) or pass --api-key.`);
      const responses = await trigger(event, { ...edits, ...fixture, onRequest, apiBase, apiKey });
      if (flags.json) {
        const calls = responses.map(({ name, method, path, status, body }) => ({
          name,
          method,
          path,
          status,
          id: (body as { id?: unknown } | null)?.id ?? null,
        }));
        return console.log(JSON.stringify(calls, null, 2));
      }
      console.log(`Trigger succeeded! The events are in ${apiBase}/v1/events and on their way to your endpoints.`);
    });
}

function isLoopback(base: string): boolean {
  try {
    const host = new URL(base).hostname;
    return host === "localhost" || host === "[::1]" || host.startsWith("127.");
  } catch {
    throw new ConfigError(`--api-base / STRIPE_API_BASE must be a URL such as ${LOCAL_EMULATOR}, not "${base}".`);
  }
}
