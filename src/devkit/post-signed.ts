import { ConfigError } from "../errors.js";
import { sign } from "../verify/sign.js";

/** Posts an event body signed as Stripe signs it; an endpoint that cannot be reached is one clear line. */
export async function postSignedEvent(url: string, body: string, secret: string): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json; charset=utf-8", "stripe-signature": sign(body, { secret }) },
    body,
  }).catch((error: unknown) => {
    throw new ConfigError(
      `Could not reach ${url}: ${(error as Error).cause ?? error}. Is \`stripe-inbox serve\` running?`,
    );
  });
}
