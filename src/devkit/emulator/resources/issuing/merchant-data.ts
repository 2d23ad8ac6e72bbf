import type Stripe from "stripe";
import type { Params } from "../../params.js";

/**
 * Merchant category codes for the categories tests use most. The `stripe` package names Stripe's categories but
 * not their codes; a category missing here is shown with 5999, the network's "miscellaneous specialty retail".
 */
const CATEGORY_CODES: Record<string, string> = {
  ac_refrigeration_repair: "7623",
  airlines_air_carriers: "4511",
  automated_cash_disburse: "6011",
  computer_software_stores: "5734",
  digital_goods_media: "5815",
  drug_stores_and_pharmacies: "5912",
  eating_places_restaurants: "5812",
  fast_food_restaurants: "5814",
  grocery_stores_supermarkets: "5411",
  hotels_motels_and_resorts: "7011",
  miscellaneous_general_merchandise: "5399",
  miscellaneous_specialty_retail: "5999",
  service_stations: "5541",
  taxicabs_limousines: "4121",
};

/** Stripe's test helpers make up a merchant when none is given: this category, and this network id. */
const DEFAULT_CATEGORY = "ac_refrigeration_repair";
const DEFAULT_NETWORK_ID = "1234567890";

/** `merchant_data[...]` of a test helper as an authorization or transaction shows it. */
export function merchantDataFrom(given: Params | undefined): Stripe.Issuing.Authorization.MerchantData {
  const text = (name: string) => (typeof given?.[name] === "string" ? (given[name] as string) : null);
  const category = text("category") ?? DEFAULT_CATEGORY;
  return {
    category,
    category_code: CATEGORY_CODES[category] ?? "5999",
    city: text("city"),
    country: text("country"),
    name: text("name"),
    network_id: text("network_id") ?? DEFAULT_NETWORK_ID,
    postal_code: text("postal_code"),
    state: text("state"),
    tax_id: null,
    terminal_id: text("terminal_id"),
    url: text("url"),
  };
}
