import Stripe from "stripe";
import { ConfigError } from "./errors.js";

export const DEFAULT_STRIPE_API_BASE = "https://api.stripe.com";

export interface StripeApiConfig {
  apiKey?: string | undefined;
  /** `https://api.stripe.com`, or the local emulator in tests. */
  apiBase?: string | undefined;
}

/** The official client, pointed at `apiBase`. Features that call Stripe say clearly when no key is set. */
export function createStripeClient(config: StripeApiConfig, feature: string): Stripe {
  const { apiKey, base } = checkStripeApi(config, feature);
  const protocol = base.protocol === "http:" ? "http" : "https";
  return new Stripe(apiKey, {
    host: base.hostname,
    port: base.port || (protocol === "http" ? 80 : 443),
    protocol,
    maxNetworkRetries: 2,
    appInfo: { name: "stripe-inbox" },
  });
}

/** The key and the API's URL, or a ConfigError saying what `feature` needs: for a check before anything starts. */
export function checkStripeApi(
  { apiKey, apiBase = DEFAULT_STRIPE_API_BASE }: StripeApiConfig,
  feature: string,
): { apiKey: string; base: URL } {
  if (!apiKey) throw new ConfigError(`${feature} calls the Stripe API: set STRIPE_API_KEY (sk_test_... or rk_...).`);
  try {
    return { apiKey, base: new URL(apiBase) };
  } catch {
    throw new ConfigError(`STRIPE_API_BASE must be a URL such as https://api.stripe.com, not "${apiBase}".`);
  }
}

/**
 * One client per inbox, made on first use: each feature that calls Stripe asks for it by name, so a missing key is
 * reported as that feature's, and an inbox that never calls Stripe needs no key.
 */
export function lazyStripeClient(config: StripeApiConfig): (feature: string) => Stripe {
  let client: Stripe | undefined;
  return (feature) => {
    client ??= createStripeClient(config, feature);
    return client;
  };
}
