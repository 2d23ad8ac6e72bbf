import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { AdminAccessError } from "../errors.js";

export const ADMIN_TOKEN_ENV = "STRIPE_INBOX_ADMIN_TOKEN";

const LOOPBACK_ADDRESS = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;
const LOOPBACK_HOST = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/i;

export function isLoopbackAddress(address: string): boolean {
  return LOOPBACK_ADDRESS.test(address) || address.toLowerCase() === "localhost";
}

/**
 * Throws unless the request may use the admin API: with a token configured, the `Authorization: Bearer` header
 * must carry it; without one, the server must listen on loopback only, and be asked for by a loopback name (a
 * DNS-rebound name of an attacker's site would otherwise reach it from the user's browser).
 */
export function checkAdminAccess(
  req: IncomingMessage,
  token: string | null,
  listening: AddressInfo | string | null,
): void {
  if (token !== null) {
    const given = /^Bearer (.+)$/i.exec(req.headers.authorization ?? "")?.[1];
    if (given === undefined) {
      throw new AdminAccessError(
        "admin_token_required",
        401,
        `Send the admin token as "Authorization: Bearer <token>" (${ADMIN_TOKEN_ENV}).`,
      );
    }
    if (!sameSecret(given, token)) throw new AdminAccessError("admin_token_invalid", 401, "The admin token is wrong.");
    return;
  }
  const address = typeof listening === "object" && listening !== null ? listening.address : null;
  if (address === null || !isLoopbackAddress(address)) {
    throw new AdminAccessError(
      "admin_token_not_configured",
      403,
      `The dashboard and admin API need ${ADMIN_TOKEN_ENV} when the server listens beyond loopback (here ${address ?? "a socket"}); set it, or listen on 127.0.0.1.`,
    );
  }
  if (!LOOPBACK_HOST.test(req.headers.host ?? "")) {
    throw new AdminAccessError(
      "admin_host_refused",
      403,
      "Without an admin token the dashboard answers only to localhost, 127.0.0.1 or [::1] in the Host header.",
    );
  }
}

/**
 * Refuses state-changing requests sent from another site: the browser says where a request comes from in
 * Sec-Fetch-Site and Origin, and a JSON content type cannot be sent cross-site without a CORS preflight we never
 * allow. (With a token the Authorization header alone already stops it: browsers never add it by themselves.)
 */
export function checkSameOrigin(req: IncomingMessage): void {
  const site = req.headers["sec-fetch-site"];
  if (site !== undefined && site !== "same-origin" && site !== "none") {
    throw new AdminAccessError("cross_site_refused", 403, `Refused a ${site} request: use the dashboard itself.`);
  }
  const origin = req.headers.origin;
  if (origin !== undefined && hostOf(origin) !== req.headers.host) {
    throw new AdminAccessError("cross_site_refused", 403, "Refused a request from another origin.");
  }
  if (!(req.headers["content-type"] ?? "").toLowerCase().startsWith("application/json")) {
    throw new AdminAccessError("content_type_json_required", 415, "Send the request body as application/json.");
  }
}

/** Constant time: compares fixed-length digests, so neither the content nor the length of the token leaks. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** The host of an Origin header; null for `null` (an opaque origin) or anything that is not a URL. */
function hostOf(origin: string): string | null {
  try {
    return new URL(origin).host || null;
  } catch {
    return null;
  }
}
