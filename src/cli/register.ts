import { type Command, InvalidArgumentError } from "commander";
import { registerWebhookEndpoint } from "../devkit/register.js";
import { migrate } from "../store/migrate.js";
import { openStore } from "../store/open.js";
import { createStripeClient, DEFAULT_STRIPE_API_BASE } from "../stripe-api.js";
import { resolveConfig, type StoreFlags, storeConfig, withStoreOptions } from "./options.js";

export function registerRegister(program: Command): void {
  withStoreOptions(
    program
      .command("register")
      .description("create a Stripe webhook endpoint and store its signing secret where `serve` finds it"),
  )
    .requiredOption("--url <url>", "where Stripe delivers, e.g. https://shop.example/webhooks/stripe", parseEndpointUrl)
    .requiredOption("--events <types>", "comma-separated event types, or * for all", parseEventTypes)
    .option("--description <text>", "shown beside the endpoint in the Dashboard")
    .option("--json", "print the endpoint (id, url, enabled_events, livemode) as JSON; never its secret")
    .action(async (flags: RegisterFlags) => register(flags));
}

type RegisterFlags = StoreFlags & { url: string; events: string[]; description?: string; json?: boolean };

async function register(flags: RegisterFlags): Promise<void> {
  const config = resolveConfig(flags);
  const stripe = createStripeClient(config.stripe, "register");
  // Open the store before asking Stripe for a secret that is shown once: a locked data dir or a database that
  // is down fails here, with nothing created.
  const store = await openStore(storeConfig(config));
  try {
    await migrate(store);
    const endpoint = await registerWebhookEndpoint(stripe, store, {
      url: flags.url,
      events: flags.events,
      description: flags.description,
      apiBase: config.stripe.apiBase ?? DEFAULT_STRIPE_API_BASE,
    });
    if (flags.json) {
      const { id, url, enabledEvents, livemode } = endpoint;
      console.log(JSON.stringify({ id, url, enabled_events: enabledEvents, livemode }, null, 2));
      return;
    }
    console.log(
      [
        `registered ${endpoint.id}${endpoint.livemode ? " (live mode)" : ""}: ${endpoint.url}`,
        `  events: ${endpoint.enabledEvents.join(", ")}`,
        `  its signing secret is stored in ${store.schema}.webhook_secrets (never printed); a running`,
        "  `stripe-inbox serve` on this database accepts it from the first delivery, beside the secrets it had.",
      ].join("\n"),
    );
  } finally {
    await store.close();
  }
}

function parseEndpointUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError("must be an http(s) URL, such as https://shop.example/webhooks/stripe.");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new InvalidArgumentError("must be http(s).");
  return value;
}

function parseEventTypes(value: string): string[] {
  const types = [...new Set(value.split(",").map((type) => type.trim()))].filter((type) => type !== "");
  if (types.length === 0) throw new InvalidArgumentError("name at least one event type, or * for all.");
  if (types.includes("*") && types.length > 1) throw new InvalidArgumentError("* already means every event type.");
  return types;
}
