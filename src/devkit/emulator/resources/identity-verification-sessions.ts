import type Stripe from "stripe";
import type { EmulatorCore, Route } from "../core.js";
import { missingParam, StripeApiError } from "../errors.js";
import type { RequestInfo } from "../events.js";
import { createdFilter, paginate } from "../list.js";
import { mergeMetadata, optionalObject, optionalString, type Params } from "../params.js";
import { stripeId } from "../store.js";

type Session = Stripe.Identity.VerificationSession;

/** What Stripe writes over personal data once a session is redacted. */
const REDACTED = "[redacted]";

/**
 * `/v1/identity/verification_sessions`: a session starts `requires_input`, with the `url` and `client_secret` the
 * user verifies with, and can be updated until it is submitted. Cancel works only while it `requires_input`.
 * Redact works then (it cancels the session first) and once `verified`: Stripe answers with `redaction.status`
 * `processing` and sends `identity.verification_session.redacted` when done, up to four days later; the emulator
 * is done at once, so a retrieve after the answer already shows `redacted`.
 */
export function verificationSessionRoutes(core: EmulatorCore): Route[] {
  const get = (id: string) => core.store.get<Session>("identity.verification_session", id);
  const cancel = (session: Session, request: RequestInfo) => {
    const previous = core.store.update(session, { status: "canceled", client_secret: null, url: null });
    core.events.emit("identity.verification_session.canceled", session, request, previous);
  };
  return [
    {
      method: "POST",
      pattern: "/v1/identity/verification_sessions",
      handler: ({ params, request }) => {
        const type = optionalString(params, "type") as Stripe.Identity.VerificationSession.Type | undefined;
        const flow = optionalString(params, "verification_flow");
        if (type === undefined && flow === undefined) throw missingParam("type");
        const relatedCustomer = optionalString(params, "related_customer");
        if (relatedCustomer !== undefined) core.store.get("customer", relatedCustomer, "related_customer");
        const id = stripeId("vs");
        // The random part of a Stripe id, shared by the secret and the hosted page's address.
        const secret = stripeId("x").slice(2);
        const session = core.store.insert<Session>({
          id,
          object: "identity.verification_session",
          client_reference_id: optionalString(params, "client_reference_id") ?? null,
          client_secret: `${id}_secret_test_${secret}`,
          created: core.now(),
          last_error: null,
          last_verification_report: null,
          livemode: false,
          metadata: mergeMetadata(params),
          options: optionsFrom(type ?? "verification_flow", optionalObject(params, "options")),
          provided_details: providedDetailsFrom(optionalObject(params, "provided_details")),
          redaction: null,
          related_customer: relatedCustomer ?? null,
          related_customer_account: optionalString(params, "related_customer_account") ?? null,
          status: "requires_input",
          type: type ?? "verification_flow",
          url: `https://verify.stripe.com/start/test_${secret}`,
          verified_outputs: null,
          ...(flow !== undefined && { verification_flow: flow }),
        });
        core.events.emit("identity.verification_session.created", session, request);
        return session;
      },
    },
    { method: "GET", pattern: "/v1/identity/verification_sessions/:id", handler: ({ path }) => get(path.id as string) },
    {
      method: "POST",
      pattern: "/v1/identity/verification_sessions/:id",
      handler: ({ path, params }) => {
        const session = get(path.id as string);
        if (session.status !== "requires_input" || session.redaction !== null) {
          throw unexpectedStatus(session, "updated");
        }
        const type =
          (optionalString(params, "type") as Stripe.Identity.VerificationSession.Type | undefined) ?? session.type;
        const options = optionalObject(params, "options");
        const details = optionalObject(params, "provided_details");
        core.store.update(session, {
          metadata: mergeMetadata(params, session.metadata),
          type,
          ...((options || type !== session.type) && { options: optionsFrom(type, options) }),
          ...(details && { provided_details: providedDetailsFrom(details) }),
        });
        return session;
      },
    },
    {
      method: "POST",
      pattern: "/v1/identity/verification_sessions/:id/cancel",
      handler: ({ path, request }) => {
        const session = get(path.id as string);
        if (session.status !== "requires_input") throw unexpectedStatus(session, "canceled");
        cancel(session, request);
        return session;
      },
    },
    {
      method: "POST",
      pattern: "/v1/identity/verification_sessions/:id/redact",
      handler: ({ path, request }) => {
        const session = get(path.id as string);
        if (session.redaction !== null) return session;
        if (session.status !== "requires_input" && session.status !== "verified") {
          throw unexpectedStatus(session, "redacted");
        }
        if (session.status === "requires_input") cancel(session, request);
        const answer = structuredClone({ ...session, redaction: { status: "processing" as const } });
        const previous = core.store.update(session, {
          metadata: {},
          provided_details: redacted(session.provided_details ?? null),
          verified_outputs: redacted(session.verified_outputs ?? null),
          redaction: { status: "redacted" },
        });
        core.events.emit("identity.verification_session.redacted", session, request, previous);
        return answer;
      },
    },
    {
      method: "GET",
      pattern: "/v1/identity/verification_sessions",
      handler: ({ params, url }) => {
        const filters = ["client_reference_id", "related_customer", "related_customer_account", "status"] as const;
        const wanted = filters.map((field) => [field, optionalString(params, field)] as const);
        const inRange = createdFilter(params);
        const sessions = core.store
          .query<Session>("identity.verification_session")
          .filter(
            (session) =>
              inRange(session.created) &&
              wanted.every(([field, value]) => value === undefined || session[field] === value),
          );
        return paginate(sessions, params, url);
      },
    },
  ];
}

function unexpectedStatus(session: Session, action: string): StripeApiError {
  const state = session.redaction === null ? session.status : "redacted";
  return new StripeApiError(
    400,
    "invalid_request_error",
    "",
    `This VerificationSession is ${state} and cannot be ${action}. Only a VerificationSession in requires_input can be ${action}${action === "redacted" ? ", or one that is verified" : ""}.`,
  );
}

/** `options[document][require_matching_selfie]=true` as the session shows it: booleans, and an entry per check. */
function optionsFrom(type: string, given: Params | undefined): Stripe.Identity.VerificationSession.Options {
  if (type === "id_number") return { id_number: {} };
  if (type !== "document") return {};
  const document = (given?.document ?? {}) as Params;
  const shown: Stripe.Identity.VerificationSession.Options.Document = {};
  for (const flag of ["require_id_number", "require_live_capture", "require_matching_selfie"] as const) {
    if (document[flag] !== undefined) shown[flag] = document[flag] === "true";
  }
  if (document.allowed_types !== undefined) {
    shown.allowed_types = Object.values(
      document.allowed_types as object,
    ) as Stripe.Identity.VerificationSession.Options.Document.AllowedType[];
  }
  return { document: shown };
}

function providedDetailsFrom(given: Params | undefined): Stripe.Identity.VerificationSession.ProvidedDetails | null {
  if (!given) return null;
  return {
    ...(typeof given.email === "string" && { email: given.email }),
    ...(typeof given.phone === "string" && { phone: given.phone }),
  };
}

/** Every string inside replaced by `[redacted]`, as Stripe redacts personal data. */
function redacted<T>(value: T): T {
  if (typeof value === "string") return REDACTED as T;
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redacted(item)])) as T;
}
