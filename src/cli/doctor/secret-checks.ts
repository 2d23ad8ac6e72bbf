import { type CheckResult, fail, ok, warn } from "./report.js";

const API_KEY_KINDS: Record<string, string> = {
  sk: "a secret API key",
  pk: "a publishable key",
  rk: "a restricted API key",
};

export interface WebhookSecretFacts {
  /** STRIPE_WEBHOOK_SECRET's values. */
  configured: readonly string[];
  /** The dev secret `serve` keeps in the data dir, when it made one. */
  devSecret: string | null;
  /** How many `register` stored, or null when the store could not be read. */
  stored: number | null;
  dataDir: string;
}

/** The form of the webhook secret(s): never printed, only described by their prefix. */
export function checkWebhookSecrets({ configured, devSecret, stored, dataDir }: WebhookSecretFacts): CheckResult {
  const check = "webhook secret";
  const storedNote = stored ? `, and ${stored} stored by \`register\`` : "";
  if (configured.length === 0) {
    if (stored) return ok(check, `no STRIPE_WEBHOOK_SECRET; serve verifies with the ${stored} stored by \`register\``);
    return warn(
      check,
      `no STRIPE_WEBHOOK_SECRET: serve ${devSecret ? "verifies with the dev secret it made" : "will make a dev secret"} in ${dataDir}, ` +
        "which only send-test-event and trigger --direct sign with; set STRIPE_WEBHOOK_SECRET to your endpoint's whsec_ " +
        "secret (`stripe listen` prints one), or create an endpoint with `stripe-inbox register`",
    );
  }
  const problems = configured.flatMap((secret, i) => {
    const problem = secretProblem(secret);
    const which = configured.length === 1 ? "STRIPE_WEBHOOK_SECRET" : `STRIPE_WEBHOOK_SECRET's value ${i + 1}`;
    return problem ? [`${which} ${problem}`] : [];
  });
  if (problems.length > 0) return fail(check, `${problems.join("; ")}: every delivery would be refused`);
  return ok(check, `${configured.length} in STRIPE_WEBHOOK_SECRET, of the whsec_ form${storedNote}`);
}

function secretProblem(secret: string): string | null {
  const kind = apiKeyKind(secret);
  if (kind) {
    return `is ${kind} (${keyPrefix(secret)}...), not a webhook signing secret: copy the endpoint's "Signing secret" (whsec_...) from the Dashboard`;
  }
  if (secret.startsWith("whsec_")) return null;
  if (/^["']/.test(secret)) return "is wrapped in quotes: remove them";
  return "does not start with whsec_: use the whole value Stripe shows, whsec_ included";
}

/** STRIPE_API_KEY, when set: the endpoint checks need a secret or restricted key. */
export function checkApiKey(key: string): CheckResult {
  const check = "api key";
  const kind = apiKeyKind(key);
  const mode = /^\w\w_live_/.test(key) ? "live mode" : /^\w\w_test_/.test(key) ? "test mode" : "mode unknown";
  if (key.startsWith("whsec_")) {
    return fail(
      check,
      "STRIPE_API_KEY is a webhook signing secret (whsec_...): is it swapped with STRIPE_WEBHOOK_SECRET?",
    );
  }
  if (kind === "a publishable key") {
    return fail(check, "STRIPE_API_KEY is a publishable key (pk_...), which cannot call the API: use sk_... or rk_...");
  }
  if (kind) return ok(check, `STRIPE_API_KEY is ${kind} (${mode})`);
  return warn(check, "STRIPE_API_KEY does not look like a Stripe key (sk_..., rk_...)");
}

/** `sk_test_`, `rk_live_`, `pk_`: enough to name the kind of key, none of the key itself. */
function keyPrefix(key: string): string {
  return /^(sk|pk|rk)_(test_|live_)?/.exec(key)?.[0] ?? "";
}

function apiKeyKind(value: string): string | null {
  const match = /^(sk|pk|rk)_/.exec(value);
  return match?.[1] ? (API_KEY_KINDS[match[1]] ?? null) : null;
}
