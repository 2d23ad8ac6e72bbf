import type { EmulatorCore, Route } from "../../core.js";
import { authorizationTestHelperRoutes } from "./authorization-test-helpers.js";
import { authorizationRoutes } from "./authorizations.js";
import { cardholderRoutes } from "./cardholders.js";
import { cardRoutes } from "./cards.js";
import { transactionRoutes } from "./transactions.js";

/** Stripe Issuing: cardholders, their cards, authorizations on those cards and the transactions they become. */
export function issuingRoutes(core: EmulatorCore): Route[] {
  return [
    ...cardholderRoutes(core),
    ...cardRoutes(core),
    ...authorizationRoutes(core),
    ...authorizationTestHelperRoutes(core),
    ...transactionRoutes(core),
  ];
}
