import type Stripe from "stripe";
import type { EmulatorCore, Route } from "../../core.js";
import { StripeApiError } from "../../errors.js";
import type { RequestInfo } from "../../events.js";
import { createdFilter, paginate } from "../../list.js";
import {
  mergeMetadata,
  optionalInteger,
  optionalObject,
  optionalString,
  type Params,
  requireInteger,
  requireString,
} from "../../params.js";
import { stripeId } from "../../store.js";
import { issuingCard } from "./cards.js";
import { merchantDataFrom } from "./merchant-data.js";

type Transaction = Stripe.Issuing.Transaction;

export interface NewTransaction {
  card: Stripe.Issuing.Card;
  authorization: string | null;
  type: Stripe.Issuing.Transaction.Type;
  /** Positive: the transaction's sign comes from its type (a capture takes money, a refund gives it back). */
  amount: number;
  merchantCurrency: string;
  merchantData: Stripe.Issuing.Transaction.MerchantData;
  purchaseDetails: Params | undefined;
}

/**
 * Records a capture or refund on an issued card (`issuing_transaction.created`), and, when it came with a receipt,
 * `issuing_transaction.purchase_details_receipt_updated` after it. A capture's amount is negative, as it leaves
 * the Issuing balance.
 */
export function recordTransaction(core: EmulatorCore, given: NewTransaction, request: RequestInfo): Transaction {
  const signed = given.type === "capture" ? -given.amount : given.amount;
  const purchase = purchaseDetailsFrom(given.purchaseDetails);
  const transaction = core.store.insert<Transaction>({
    id: stripeId("ipi"),
    object: "issuing.transaction",
    amount: signed,
    amount_details: { atm_fee: null, cashback_amount: null },
    authorization: given.authorization,
    balance_transaction: null,
    card: given.card.id,
    cardholder: given.card.cardholder.id,
    created: core.now(),
    currency: given.card.currency,
    dispute: null,
    livemode: false,
    merchant_amount: signed,
    merchant_currency: given.merchantCurrency,
    merchant_data: given.merchantData,
    metadata: {},
    network_data: null,
    ...(purchase && { purchase_details: purchase }),
    type: given.type,
    wallet: null,
  });
  core.events.emit("issuing_transaction.created", transaction, request);
  if (purchase?.receipt?.length)
    core.events.emit("issuing_transaction.purchase_details_receipt_updated", transaction, request);
  return transaction;
}

/**
 * `/v1/issuing/transactions` (retrieve, metadata updates, list) and the test helpers that make transactions
 * without an authorization: a force capture, an unlinked refund, and the refund of a capture.
 */
export function transactionRoutes(core: EmulatorCore): Route[] {
  const get = (id: string) => core.store.get<Transaction>("issuing.transaction", id);
  /** A force capture or unlinked refund: money moved on a card with no authorization before it. */
  const unlinked =
    (type: Stripe.Issuing.Transaction.Type) =>
    ({ params, request }: { params: Params; request: RequestInfo }) => {
      const card = issuingCard(core, requireString(params, "card"), "card");
      return recordTransaction(
        core,
        {
          card,
          authorization: null,
          type,
          amount: requireInteger(params, "amount"),
          merchantCurrency: optionalString(params, "currency") ?? card.currency,
          merchantData: merchantDataFrom(optionalObject(params, "merchant_data")),
          purchaseDetails: optionalObject(params, "purchase_details"),
        },
        request,
      );
    };
  return [
    { method: "GET", pattern: "/v1/issuing/transactions/:id", handler: ({ path }) => get(path.id as string) },
    {
      method: "POST",
      pattern: "/v1/issuing/transactions/:id",
      handler: ({ path, params, request }) => {
        const transaction = get(path.id as string);
        const previous = core.store.update(transaction, { metadata: mergeMetadata(params, transaction.metadata) });
        if (Object.keys(previous).length > 0) {
          core.events.emit("issuing_transaction.updated", transaction, request, previous);
        }
        return transaction;
      },
    },
    {
      method: "GET",
      pattern: "/v1/issuing/transactions",
      handler: ({ params, url }) => {
        const [card, cardholder, type] = ["card", "cardholder", "type"].map((name) => optionalString(params, name));
        const inRange = createdFilter(params);
        const transactions = core.store
          .query<Transaction>("issuing.transaction")
          .filter(
            (transaction) =>
              inRange(transaction.created) &&
              (card === undefined || transaction.card === card) &&
              (cardholder === undefined || transaction.cardholder === cardholder) &&
              (type === undefined || transaction.type === type),
          );
        return paginate(transactions, params, url);
      },
    },
    {
      method: "POST",
      pattern: "/v1/test_helpers/issuing/transactions/create_force_capture",
      handler: unlinked("capture"),
    },
    {
      method: "POST",
      pattern: "/v1/test_helpers/issuing/transactions/create_unlinked_refund",
      handler: unlinked("refund"),
    },
    {
      method: "POST",
      pattern: "/v1/test_helpers/issuing/transactions/:id/refund",
      handler: ({ path, params, request }) => {
        const capture = get(path.id as string);
        if (capture.type !== "capture") {
          throw new StripeApiError(400, "invalid_request_error", "", "Only capture transactions can be refunded.");
        }
        // Refunds name the authorization, not the capture: what an authorization's refunds gave back is counted
        // against all of its captures. A force capture has no authorization, so only its own amount bounds it.
        const authorization = capture.authorization as string | null;
        const related = core.store
          .all<Transaction>("issuing.transaction")
          .filter((other) => authorization !== null && other.authorization === authorization);
        const refundable =
          authorization === null ? -capture.amount : -related.reduce((sum, other) => sum + other.amount, 0);
        const amount = optionalInteger(params, "refund_amount") ?? refundable;
        if (amount <= 0 || amount > refundable) {
          throw new StripeApiError(
            400,
            "invalid_request_error",
            "",
            `The refund amount must be between 1 and the ${refundable} not yet refunded on this transaction.`,
            "refund_amount",
          );
        }
        return recordTransaction(
          core,
          {
            card: issuingCard(core, capture.card as string),
            authorization: capture.authorization as string | null,
            type: "refund",
            amount,
            merchantCurrency: capture.merchant_currency,
            merchantData: capture.merchant_data,
            purchaseDetails: undefined,
          },
          request,
        );
      },
    },
  ];
}

function purchaseDetailsFrom(given: Params | undefined): Stripe.Issuing.Transaction.PurchaseDetails | undefined {
  if (!given) return undefined;
  const number = (value: unknown) => (value === undefined ? null : Number(value));
  const receipt = given.receipt === undefined ? null : (Object.values(given.receipt as object) as Params[]);
  return {
    fleet: null,
    flight: null,
    fuel: null,
    lodging: null,
    receipt:
      receipt?.map((line) => {
        const quantity = number(line.quantity);
        const unitCost = number(line.unit_cost);
        return {
          description: typeof line.description === "string" ? line.description : null,
          quantity,
          total:
            number(line.total) ?? (quantity !== null && unitCost !== null ? Math.round(quantity * unitCost) : null),
          unit_cost: unitCost,
        };
      }) ?? null,
    reference: typeof given.reference === "string" ? given.reference : null,
  };
}
