import type Stripe from "stripe";
import type { EmulatorCore, Route } from "../../core.js";
import { createdFilter, paginate } from "../../list.js";
import { mergeMetadata, optionalString } from "../../params.js";
import { issuingCard } from "./cards.js";

type Authorization = Stripe.Issuing.Authorization;

/** `/v1/issuing/authorizations`: retrieve, metadata updates (`issuing_authorization.updated`) and list. */
export function authorizationRoutes(core: EmulatorCore): Route[] {
  return [
    {
      method: "GET",
      pattern: "/v1/issuing/authorizations/:id",
      handler: ({ path }) => issuingAuthorization(core, path.id as string),
    },
    {
      method: "POST",
      pattern: "/v1/issuing/authorizations/:id",
      handler: ({ path, params, request }) => {
        const authorization = issuingAuthorization(core, path.id as string);
        const previous = core.store.update(authorization, {
          metadata: mergeMetadata(params, authorization.metadata),
        });
        if (Object.keys(previous).length > 0) {
          core.events.emit("issuing_authorization.updated", authorization, request, previous);
        }
        return authorization;
      },
    },
    {
      method: "GET",
      pattern: "/v1/issuing/authorizations",
      handler: ({ params, url }) => {
        const [card, cardholder, status] = ["card", "cardholder", "status"].map((name) => optionalString(params, name));
        const inRange = createdFilter(params);
        const authorizations = core.store
          .query<Authorization>("issuing.authorization")
          .filter(
            (authorization) =>
              inRange(authorization.created) &&
              (card === undefined || authorization.card.id === card) &&
              (cardholder === undefined || authorization.cardholder === cardholder) &&
              (status === undefined || authorization.status === status),
          );
        const page = paginate(authorizations, params, url);
        for (const authorization of page.data) withCurrentObjects(core, authorization);
        return page;
      },
    },
  ];
}

/** The authorization with its card and transactions as they are now, as Stripe always shows them in full. */
export function issuingAuthorization(core: EmulatorCore, id: string): Authorization {
  return withCurrentObjects(core, core.store.get<Authorization>("issuing.authorization", id));
}

function withCurrentObjects(core: EmulatorCore, authorization: Authorization): Authorization {
  const card = issuingCard(core, authorization.card.id);
  if (card !== authorization.card) authorization.card = card;
  authorization.transactions = authorization.transactions.map(
    (transaction) => (core.store.find(transaction.id) as Stripe.Issuing.Transaction | undefined) ?? transaction,
  );
  return authorization;
}
