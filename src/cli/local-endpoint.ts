import { parseSecrets } from "../config.js";
import { ConfigError } from "../errors.js";
import { readDevSecret } from "./dev-secret.js";
import { resolveConfig } from "./options.js";

/**
 * Where a local `serve` receives, and the secret it accepts: STRIPE_WEBHOOK_SECRET, else the dev secret `serve`
 * keeps in its data dir. What `send-test-event` and `trigger --direct` sign and post with.
 */
export function localWebhookEndpoint(flags: { url?: string; port?: string; host?: string; dataDir?: string }): {
  url: string;
  secret: string;
} {
  const config = resolveConfig(flags);
  const secret = parseSecrets(process.env.STRIPE_WEBHOOK_SECRET)[0] ?? readDevSecret(config.dataDir);
  if (!secret) {
    throw new ConfigError(
      `No secret to sign with: set STRIPE_WEBHOOK_SECRET, or start \`stripe-inbox serve\` once to make a dev secret in ${config.dataDir}.`,
    );
  }
  return { url: flags.url ?? `http://${config.listen.host}:${config.listen.port}${config.receive.path}`, secret };
}
