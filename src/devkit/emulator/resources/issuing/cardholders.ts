import type Stripe from "stripe";
import type { EmulatorCore, Route } from "../../core.js";
import { createdFilter, paginate } from "../../list.js";
import { mergeMetadata, optionalObject, optionalString, type Params, requireString } from "../../params.js";
import { stripeId } from "../../store.js";
import { noSpendingControls, spendingControlsFrom } from "./spending-controls.js";

type Cardholder = Stripe.Issuing.Cardholder;

/**
 * `/v1/issuing/cardholders`: the people and companies cards are issued to. A cardholder is `active` unless created
 * `inactive`; an individual who has not accepted the card issuing terms, or lacks a name, has those requirements
 * `past_due`, and Stripe declines their cards' authorizations until they are given.
 */
export function cardholderRoutes(core: EmulatorCore): Route[] {
  const get = (id: string) => core.store.get<Cardholder>("issuing.cardholder", id);
  return [
    {
      method: "POST",
      pattern: "/v1/issuing/cardholders",
      handler: ({ params, request }) => {
        const type = (optionalString(params, "type") ?? "individual") as Stripe.Issuing.Cardholder.Type;
        const cardholder = core.store.insert<Cardholder>({
          id: stripeId("ich"),
          object: "issuing.cardholder",
          billing: { address: addressFrom(optionalObject(params, "billing")?.address as Params) },
          company:
            type === "company" ? { tax_id_provided: optionalObject(params, "company")?.tax_id !== undefined } : null,
          created: core.now(),
          email: optionalString(params, "email") ?? null,
          individual: individualFrom(optionalObject(params, "individual"), null),
          livemode: false,
          metadata: mergeMetadata(params),
          name: requireString(params, "name"),
          phone_number: optionalString(params, "phone_number") ?? null,
          preferred_locales:
            (params.preferred_locales as Stripe.Issuing.Cardholder.PreferredLocale[] | undefined) ?? null,
          requirements: { disabled_reason: null, past_due: [] },
          spending_controls: spendingControlsFrom(params, noSpendingControls()),
          status: (optionalString(params, "status") ?? "active") as Stripe.Issuing.Cardholder.Status,
          type,
        });
        cardholder.requirements = requirementsOf(cardholder);
        core.events.emit("issuing_cardholder.created", cardholder, request);
        return cardholder;
      },
    },
    { method: "GET", pattern: "/v1/issuing/cardholders/:id", handler: ({ path }) => get(path.id as string) },
    {
      method: "POST",
      pattern: "/v1/issuing/cardholders/:id",
      handler: ({ path, params, request }) => {
        const cardholder = get(path.id as string);
        const billing = optionalObject(params, "billing");
        const individual = optionalObject(params, "individual");
        const changes: Partial<Cardholder> = {
          metadata: mergeMetadata(params, cardholder.metadata),
          spending_controls: spendingControlsFrom(params, cardholder.spending_controls ?? noSpendingControls()),
          ...(billing && { billing: { address: addressFrom(billing.address as Params) } }),
          ...(individual && { individual: individualFrom(individual, cardholder.individual) }),
        };
        for (const field of ["email", "phone_number", "status"] as const) {
          const value = optionalString(params, field);
          if (value !== undefined) (changes as Record<string, unknown>)[field] = value;
        }
        if (params.preferred_locales !== undefined) {
          changes.preferred_locales = params.preferred_locales as Stripe.Issuing.Cardholder.PreferredLocale[];
        }
        const previous = core.store.update(cardholder, changes);
        const requirements = core.store.update(cardholder, { requirements: requirementsOf(cardholder) });
        Object.assign(previous, requirements);
        if (Object.keys(previous).length > 0) {
          core.events.emit("issuing_cardholder.updated", cardholder, request, previous);
        }
        return cardholder;
      },
    },
    {
      method: "GET",
      pattern: "/v1/issuing/cardholders",
      handler: ({ params, url }) => {
        const filters = ["email", "phone_number", "status", "type"] as const;
        const wanted = filters.map((field) => [field, optionalString(params, field)] as const);
        const inRange = createdFilter(params);
        const cardholders = core.store
          .query<Cardholder>("issuing.cardholder")
          .filter(
            (cardholder) =>
              inRange(cardholder.created) &&
              wanted.every(([field, value]) => value === undefined || cardholder[field] === value),
          );
        return paginate(cardholders, params, url);
      },
    },
  ];
}

function addressFrom(given: Params | undefined): Stripe.Address {
  const field = (name: string) => (typeof given?.[name] === "string" ? (given[name] as string) : null);
  return {
    city: field("city"),
    country: field("country"),
    line1: field("line1"),
    line2: field("line2"),
    postal_code: field("postal_code"),
    state: field("state"),
  };
}

function individualFrom(
  given: Params | undefined,
  current: Stripe.Issuing.Cardholder.Individual | null,
): Stripe.Issuing.Cardholder.Individual | null {
  if (!given) return current;
  const terms = ((given.card_issuing as Params | undefined)?.user_terms_acceptance ?? undefined) as Params | undefined;
  const dob = given.dob as Params | undefined;
  const text = (value: unknown, fallback: string | null) => (typeof value === "string" ? value : fallback);
  return {
    card_issuing: terms
      ? {
          user_terms_acceptance: {
            date: terms.date === undefined ? null : Number(terms.date),
            ip: text(terms.ip, null),
            user_agent: text(terms.user_agent, null),
          },
        }
      : (current?.card_issuing ?? null),
    dob: dob ? { day: Number(dob.day), month: Number(dob.month), year: Number(dob.year) } : (current?.dob ?? null),
    first_name: text(given.first_name, current?.first_name ?? null),
    last_name: text(given.last_name, current?.last_name ?? null),
    verification: current?.verification ?? null,
  };
}

/** What an individual still owes Stripe before their cards can be used. */
function requirementsOf(cardholder: Cardholder): Stripe.Issuing.Cardholder.Requirements {
  if (cardholder.type !== "individual") return { disabled_reason: null, past_due: [] };
  const individual = cardholder.individual;
  const terms = individual?.card_issuing?.user_terms_acceptance;
  const past_due: Stripe.Issuing.Cardholder.Requirements.PastDue[] = [];
  if (!individual?.first_name) past_due.push("individual.first_name");
  if (!individual?.last_name) past_due.push("individual.last_name");
  if (!terms?.date) past_due.push("individual.card_issuing.user_terms_acceptance.date");
  if (!terms?.ip) past_due.push("individual.card_issuing.user_terms_acceptance.ip");
  return { disabled_reason: past_due.length > 0 ? "requirements.past_due" : null, past_due };
}
