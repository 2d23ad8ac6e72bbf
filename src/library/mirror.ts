import type Stripe from "stripe";
import { registerMirror } from "../mirror/handler.js";
import { revalidationFor } from "../mirror/revalidate.js";
import type { Queryable } from "../store/store.js";
import type { HandlerRegistry } from "../worker/registry.js";
import type { Settings } from "./options.js";

/**
 * With the mirror on, registers its built-in handler: revalidation is checked now (types and API key), and with an
 * API key a same-second tie is settled by the API. `store` reads outside any run: whether a table exists, a tie's
 * stamp.
 */
export function addMirror(
  settings: Settings,
  parts: { registry: HandlerRegistry; store: () => Promise<Queryable>; stripe: (feature: string) => Stripe },
): void {
  if (!settings.mirror) return;
  const revalidate = revalidationFor(settings.mirror.revalidate, parts.stripe);
  const refetchTies = settings.stripe.apiKey
    ? { stripe: () => parts.stripe("the mirror's tie checks"), store: parts.store }
    : undefined;
  registerMirror(parts.registry, settings.mirror.schema, {
    store: parts.store,
    ...(revalidate && { revalidate }),
    ...(refetchTies && { refetchTies }),
  });
}
