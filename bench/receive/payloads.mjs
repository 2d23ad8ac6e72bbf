// Realistic Stripe snapshot events, pretty-printed as Stripe sends them, 2-8 KB, and a pool of signed
// deliveries prepared before a phase so that signing never competes with the load generator during it.
import { randomUUID } from "node:crypto";
import { sign } from "../../dist/index.js";
import { created, invoiceLine, KINDS, stripeId } from "./stripe-objects.mjs";

const API_VERSION = "2025-10-29.clover";
const MIN_BYTES = 2048;
const MAX_BYTES = 8192;
const TEMPLATE_COUNT = 64;
// Stripe event ids are `evt_` and 24 characters; a fixed width lets each delivery write its id in place.
const ID_WIDTH = 24;
const ID_PLACEHOLDER = `evt_${"#".repeat(ID_WIDTH)}`;

/** The headers Stripe sends with every delivery, besides its signature. */
export const STRIPE_HEADERS = {
  "content-type": "application/json; charset=utf-8",
  "user-agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
  accept: "*/*; q=0.5, application/xml",
  "cache-control": "no-cache",
};

/** Grows the object the way real ones grow (invoice lines, merchant metadata) until the event reaches `bytes`. */
function eventOfSize(kind, bytes) {
  const object = kind.object();
  const event = {
    id: ID_PLACEHOLDER,
    object: "event",
    api_version: API_VERSION,
    created: created(),
    data: { object },
    livemode: false,
    pending_webhooks: 1,
    request: { id: stripeId("req", 14), idempotency_key: randomUUID() },
    type: kind.type,
  };
  let text = JSON.stringify(event, null, 2);
  for (let n = 0; Buffer.byteLength(text) < bytes; n++) {
    if (object.lines && n % 2 === 0) object.lines.data.push(invoiceLine(object.customer));
    else object.metadata[`order_line_${n}`] = `sku_${stripeId("", 12).slice(1)} × ${1 + (n % 4)}`;
    text = JSON.stringify(event, null, 2);
  }
  return text;
}

/** TEMPLATE_COUNT event bodies spread evenly over 2-8 KB, each with a slot for its event id. */
export function createTemplates() {
  return Array.from({ length: TEMPLATE_COUNT }, (_, index) => {
    const target = MIN_BYTES + Math.round(((MAX_BYTES - MIN_BYTES - 256) * index) / (TEMPLATE_COUNT - 1));
    const body = Buffer.from(eventOfSize(KINDS[index % KINDS.length], target));
    return { body, idOffset: body.indexOf(ID_PLACEHOLDER) + "evt_".length };
  });
}

/**
 * `count` deliveries, each a new event id and its Stripe-Signature over the template it is sent with. A run tag
 * keeps ids distinct from any earlier phase against the same store.
 */
export function signPool(templates, secret, count) {
  const runTag = stripeId("", 8).slice(1);
  const timestamp = Math.floor(Date.now() / 1000);
  const ids = new Array(count);
  const signatures = new Array(count);
  for (let i = 0; i < count; i++) {
    const template = templates[i % templates.length];
    const id = `${runTag}${i.toString(36).padStart(ID_WIDTH - runTag.length, "0")}`;
    template.body.write(id, template.idOffset, "latin1");
    ids[i] = id;
    signatures[i] = sign(template.body, { secret, timestamp });
  }
  return { ids, signatures, size: count, timestamp };
}

/** Writes delivery `index`'s event id into its template and returns the body and headers to send. */
export function delivery(templates, pool, index) {
  const slot = index % pool.size;
  const template = templates[slot % templates.length];
  template.body.write(pool.ids[slot], template.idOffset, "latin1");
  return { body: template.body, signature: pool.signatures[slot] };
}
