import { type Command, InvalidArgumentError } from "commander";
import { createStripeClient, DEFAULT_STRIPE_API_BASE } from "../../stripe-api.js";
import { readDevSecret } from "../dev-secret.js";
import { resolveConfig, type StoreFlags, withStoreOptions } from "../options.js";
import { endpointChecks, readEndpoints, targetEndpoints } from "./endpoint-checks.js";
import { readHandlerPatterns } from "./handler-patterns.js";
import { type CheckResult, formatReport, overallStatus, reportJson, warn } from "./report.js";
import { checkApiKey, checkWebhookSecrets } from "./secret-checks.js";
import { readStore, storeChecks } from "./store-checks.js";
import { storedSecretCheck } from "./stored-secret-checks.js";

type DoctorFlags = StoreFlags & { json?: boolean; url?: string; handlers?: string };

export function registerDoctor(program: Command): void {
  withStoreOptions(
    program
      .command("doctor")
      .description("check the configuration, the store and the Stripe endpoint; one line per check, exit 1 on a fail"),
  )
    .option("--url <url>", "the webhook URL Stripe delivers to: check its endpoint (needs STRIPE_API_KEY)", parseUrl)
    .option("--handlers <module>", "compare the handlers this module registers with the endpoint's enabled events")
    .option("--json", "print the checks as one JSON object")
    .action(async (flags: DoctorFlags) => {
      const results = await runChecks(flags);
      const colour = process.stdout.isTTY === true && !process.env.NO_COLOR;
      console.log(flags.json ? reportJson(results) : formatReport(results, colour));
      if (overallStatus(results) === "fail") process.exitCode = 1;
    });
}

/** Every check, in the order a person would fix things: configuration, store, handlers, then Stripe's side. */
async function runChecks(flags: DoctorFlags): Promise<CheckResult[]> {
  const config = resolveConfig(flags);
  const store = await readStore(config);
  const stored = store.health?.storedEndpoints ?? null;
  const results = [
    checkWebhookSecrets({
      configured: config.secret,
      devSecret: readDevSecret(config.dataDir),
      stored: stored?.length ?? null,
      dataDir: config.dataDir,
    }),
  ];
  if (config.stripe.apiKey) results.push(checkApiKey(config.stripe.apiKey));
  results.push(...storeChecks(store, config.receive.toleranceSeconds));
  const handlers = flags.handlers ? await readHandlerPatterns(flags.handlers) : null;
  if (handlers) results.push(handlers.result);

  if (!config.stripe.apiKey) {
    const asked = flags.url !== undefined || flags.handlers !== undefined;
    const skipped = "STRIPE_API_KEY is not set: the endpoint, API version and stored-secret checks did not run";
    if (asked) results.push(warn("stripe api", skipped));
    return results;
  }
  if (results.some((result) => result.check === "api key" && result.status === "fail")) return results;
  const apiBase = config.stripe.apiBase ?? DEFAULT_STRIPE_API_BASE;
  const stripe = createStripeClient({ apiKey: config.stripe.apiKey, apiBase }, "doctor");
  const listed = await readEndpoints(stripe, apiBase, config.receive.toleranceSeconds);
  results.push(...listed.results);
  if (!listed.endpoints) return results;
  const { targets, result } = targetEndpoints(
    listed.endpoints,
    flags.url,
    (stored ?? []).map((row) => row.endpointId),
    handlers !== null,
  );
  if (result) results.push(result);
  for (const endpoint of targets) results.push(...endpointChecks(endpoint, handlers?.patterns ?? null));
  if (stored) {
    const existing = new Set(listed.endpoints.map((endpoint) => endpoint.id));
    results.push(storedSecretCheck(stored, existing, apiBase, store.health?.schema ?? config.schema));
  }
  return results;
}

function parseUrl(value: string): string {
  try {
    new URL(value);
  } catch {
    throw new InvalidArgumentError("an http(s) URL, such as https://shop.example/webhooks/stripe");
  }
  return value;
}
