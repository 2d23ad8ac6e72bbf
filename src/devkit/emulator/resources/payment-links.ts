import type Stripe from "stripe";
import type { EmulatorCore, Route } from "../core.js";
import { missingParam } from "../errors.js";
import { paginate } from "../list.js";
import {
  mergeMetadata,
  optionalArray,
  optionalBoolean,
  optionalInteger,
  type Params,
  requireString,
} from "../params.js";
import { type StripeObject, stripeId } from "../store.js";

/**
 * `/v1/payment_links`: a shareable link that sells prices (`payment_link.created`), updated or deactivated
 * (`payment_link.updated`), its line items listed. The link's `url` is the emulator's and leads to no page: a
 * customer paying through it is not emulated.
 */
export function paymentLinkRoutes(core: EmulatorCore): Route[] {
  const get = (id: string) => core.store.get<Stripe.PaymentLink>("payment_link", id, "payment_link");
  const items = new Map<string, Stripe.LineItem[]>();
  const itemsList = (link: StripeObject) => ({
    object: "list",
    data: items.get(link.id) ?? [],
    has_more: false,
    url: `/v1/payment_links/${link.id}/line_items`,
  });
  // As a Checkout Session's, a link's line items are shown only when expanded.
  core.virtualFields.set("payment_link.line_items", itemsList);
  return [
    {
      method: "POST",
      pattern: "/v1/payment_links",
      handler: ({ params, request }) => {
        const lineItems = lineItemsOf(core, params);
        const id = stripeId("plink");
        const link = core.store.insert<Stripe.PaymentLink>({
          id,
          object: "payment_link",
          active: true,
          after_completion: { hosted_confirmation: { custom_message: null }, type: "hosted_confirmation" },
          allow_promotion_codes: optionalBoolean(params, "allow_promotion_codes") ?? false,
          automatic_tax: { enabled: false, liability: null },
          billing_address_collection: "auto",
          currency: lineItems[0]?.currency ?? "usd",
          custom_fields: [],
          custom_text: { after_submit: null, shipping_address: null, submit: null, terms_of_service_acceptance: null },
          customer_creation: "if_required",
          livemode: false,
          metadata: mergeMetadata(params),
          payment_method_collection: "always",
          phone_number_collection: { enabled: false },
          shipping_options: [],
          submit_type: "auto",
          tax_id_collection: { enabled: false, required: "never" },
          url: `${core.baseUrl()}/_emulator/payment_links/${id}`,
        } as unknown as Stripe.PaymentLink);
        items.set(id, lineItems);
        core.events.emit("payment_link.created", link, request);
        return link;
      },
    },
    { method: "GET", pattern: "/v1/payment_links/:id", handler: ({ path }) => get(path.id as string) },
    {
      method: "POST",
      pattern: "/v1/payment_links/:id",
      handler: ({ path, params, request }) => {
        const link = get(path.id as string);
        const active = optionalBoolean(params, "active");
        const promotionCodes = optionalBoolean(params, "allow_promotion_codes");
        const previous = core.store.update(link, {
          metadata: mergeMetadata(params, link.metadata),
          ...(active !== undefined && { active }),
          ...(promotionCodes !== undefined && { allow_promotion_codes: promotionCodes }),
        });
        if (Object.keys(previous).length > 0) core.events.emit("payment_link.updated", link, request, previous);
        return link;
      },
    },
    {
      method: "GET",
      pattern: "/v1/payment_links/:id/line_items",
      handler: ({ path, params, url }) => paginate(items.get(get(path.id as string).id) ?? [], params, url),
    },
    {
      method: "GET",
      pattern: "/v1/payment_links",
      handler: ({ params, url }) => {
        const active = optionalBoolean(params, "active");
        const links = core.store
          .all<Stripe.PaymentLink>("payment_link")
          .filter((link) => active === undefined || link.active === active);
        return paginate(links, params, url);
      },
    },
  ];
}

/** `line_items[i][price]` and `[quantity]`, each a line as Stripe lists a link's items. */
function lineItemsOf(core: EmulatorCore, params: Params): Stripe.LineItem[] {
  const lines = optionalArray(params, "line_items") ?? [];
  if (lines.length === 0) throw missingParam("line_items");
  return lines.map((raw, index) => {
    const line = raw as Params;
    const price = core.store.get<Stripe.Price>("price", requireString(line, "price"), `line_items[${index}][price]`);
    const quantity = optionalInteger(line, "quantity") ?? 1;
    const amount = (price.unit_amount ?? 0) * quantity;
    return {
      id: stripeId("li"),
      object: "item",
      amount_discount: 0,
      amount_subtotal: amount,
      amount_tax: 0,
      amount_total: amount,
      currency: price.currency,
      description: null,
      price,
      quantity,
    } as Stripe.LineItem;
  });
}
