import { createHmac } from "node:crypto";

/** HMAC-SHA256 of `${timestamp}.${body}` keyed by the whole secret string, `whsec_` prefix included, as Stripe does. */
export function computeSignature(body: string | Uint8Array, secret: string, timestamp: number): Buffer {
  return createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest();
}

export interface SignOptions {
  secret: string;
  /** Unix seconds; defaults to now. */
  timestamp?: number;
  /** Extra `v1` signatures made with these secrets, as Stripe sends during a secret roll. */
  alsoSignWith?: readonly string[];
}

/** Builds a `Stripe-Signature` header value for `body`, for tests and the dev kit. */
export function sign(body: string | Uint8Array, options: SignOptions): string {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const secrets = [options.secret, ...(options.alsoSignWith ?? [])];
  const signatures = secrets.map((secret) => `v1=${computeSignature(body, secret, timestamp).toString("hex")}`);
  return [`t=${timestamp}`, ...signatures].join(",");
}
