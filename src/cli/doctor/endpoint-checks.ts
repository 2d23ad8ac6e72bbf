import Stripe from "stripe";
import { describeStripeError } from "../../devkit/register.js";
import { judgeClock } from "./clock.js";
import { compareCoverage } from "./event-coverage.js";
import { type CheckResult, fail, ok, warn } from "./report.js";

export interface StripeFacts {
  endpoints: Stripe.WebhookEndpoint[];
  results: CheckResult[];
}

/** Lists the account's webhook endpoints; the first answer's `Date` header is Stripe's clock. */
export async function readEndpoints(
  stripe: Stripe,
  apiBase: string,
  toleranceSeconds: number,
): Promise<StripeFacts | { endpoints: null; results: CheckResult[] }> {
  const endpoints: Stripe.WebhookEndpoint[] = [];
  const results: CheckResult[] = [];
  try {
    let startingAfter: string | undefined;
    for (;;) {
      const sentAt = Date.now();
      const page = await stripe.webhookEndpoints.list({
        limit: 100,
        ...(startingAfter !== undefined && { starting_after: startingAfter }),
      });
      const answeredAt = Date.now();
      const date = page.lastResponse.headers.date;
      if (startingAfter === undefined) {
        results.push(
          ok("stripe api", `${apiBase} answers; ${page.data.length}${page.has_more ? "+" : ""} endpoint(s)`),
        );
        if (date) {
          const reading = { remote: new Date(date), sentAt, answeredAt, resolutionMs: 1_000 };
          results.push(judgeClock("clock (stripe)", "Stripe's (its Date header)", reading, toleranceSeconds));
        }
      }
      endpoints.push(...page.data);
      if (!page.has_more || page.data.length === 0) break;
      startingAfter = page.data.at(-1)?.id;
    }
  } catch (error) {
    return {
      endpoints: null,
      results: [fail("stripe api", `listing webhook endpoints at ${apiBase} failed: ${describeStripeError(error)}`)],
    };
  }
  return { endpoints, results };
}

/** The endpoints to check: those delivering to `--url`, else those whose secret `register` stored. */
export function targetEndpoints(
  endpoints: readonly Stripe.WebhookEndpoint[],
  url: string | undefined,
  storedIds: readonly string[],
  comparingHandlers: boolean,
): { targets: Stripe.WebhookEndpoint[]; result: CheckResult | null } {
  if (url !== undefined) {
    const targets = endpoints.filter((endpoint) => sameUrl(endpoint.url, url));
    if (targets.length === 0) {
      return {
        targets,
        result: fail(
          "endpoint",
          `no webhook endpoint delivers to ${url} (${endpoints.length} on the account): create one with \`stripe-inbox register --url ${url} --events ...\``,
        ),
      };
    }
    return { targets, result: null };
  }
  const targets = endpoints.filter((endpoint) => storedIds.includes(endpoint.id));
  if (targets.length > 0) return { targets, result: null };
  // Nothing says which endpoint delivers here: only a problem when the handlers were to be compared with one.
  const hint = `${endpoints.length} on the account; pass --url <your webhook URL> to check the one that delivers here`;
  return { targets, result: comparingHandlers ? warn("endpoint", hint) : ok("endpoint", hint) };
}

/** Per endpoint: its status, its API version against the installed `stripe` package's, its events against handlers. */
export function endpointChecks(endpoint: Stripe.WebhookEndpoint, handled: readonly string[] | null): CheckResult[] {
  const results = [
    endpoint.status === "enabled"
      ? ok("endpoint", `${endpoint.id} is enabled and delivers to ${endpoint.url}`)
      : fail(
          "endpoint",
          `${endpoint.id} is ${endpoint.status}: Stripe delivers nothing to ${endpoint.url}; enable it in the Dashboard`,
        ),
    apiVersionCheck(endpoint),
  ];
  if (handled) results.push(coverageCheck(endpoint, handled));
  return results;
}

function apiVersionCheck(endpoint: Stripe.WebhookEndpoint): CheckResult {
  const check = "api version";
  const installed = Stripe.API_VERSION;
  if (endpoint.api_version === installed) {
    return ok(check, `${endpoint.id} renders events in ${installed}, as the installed stripe package's types`);
  }
  const renders =
    endpoint.api_version === null
      ? `${endpoint.id} renders events in the account's default API version`
      : `${endpoint.id} renders events in ${endpoint.api_version}`;
  return warn(
    check,
    `${renders}, but the installed stripe package's types are for ${installed}: payloads may not match them; ` +
      `create the endpoint with api_version ${installed}`,
  );
}

function coverageCheck(endpoint: Stripe.WebhookEndpoint, handled: readonly string[]): CheckResult {
  const check = "events";
  const { unhandled, notEnabled } = compareCoverage(endpoint.enabled_events, handled);
  const problems: string[] = [];
  if (notEnabled.length > 0) {
    problems.push(`handled but not enabled on ${endpoint.id}, so never delivered: ${notEnabled.join(", ")}`);
  }
  if (unhandled.length > 0) {
    problems.push(`enabled on ${endpoint.id} but without a handler (stored as no_handler): ${unhandled.join(", ")}`);
  }
  if (problems.length > 0) return warn(check, problems.join("; "));
  return ok(check, `every type enabled on ${endpoint.id} has a handler, and every handler's types are enabled`);
}

/** Stripe stores endpoint URLs as given; a trailing slash or letter case in the host is not a different endpoint. */
function sameUrl(a: string, b: string): boolean {
  const normal = (value: string) => {
    try {
      return new URL(value).href.replace(/\/$/, "");
    } catch {
      return value;
    }
  };
  return normal(a) === normal(b);
}
