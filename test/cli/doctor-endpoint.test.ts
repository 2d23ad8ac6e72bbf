import { rmSync } from "node:fs";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CheckResult } from "../../src/cli/doctor/report.js";
import { type RunningEmulator, startEmulator } from "../../src/devkit/emulator/index.js";
import { createStripeClient } from "../../src/stripe-api.js";
import { type EmulatorClient, startEmulatorClient } from "../devkit/emulator-setup.js";
import { SECRET } from "../support/events.js";
import { runCli } from "../support/processes.js";
import { dropSchema, POSTGRES_URL, tempDir, uniqueSchema } from "../support/stores.js";
import { writeHandlersModule } from "../support/workers.js";

const KEY = "sk_test_doctor";

describe("doctor against the Stripe API (the emulator), on Postgres", () => {
  let api: EmulatorClient;
  let dir: string;
  let handlers: string;
  const schemas: string[] = [];

  /** A migrated schema of its own, and the environment that points doctor at it and at the emulator. */
  async function inboxEnv(extra: Record<string, string> = {}): Promise<Record<string, string>> {
    const schema = uniqueSchema();
    schemas.push(schema);
    const env = {
      DATABASE_URL: POSTGRES_URL,
      STRIPE_INBOX_SCHEMA: schema,
      STRIPE_WEBHOOK_SECRET: SECRET,
      STRIPE_API_KEY: KEY,
      STRIPE_API_BASE: api.emulator.url,
      ...extra,
    };
    expect((await runCli(["migrate"], env)).code).toBe(0);
    return env;
  }

  async function doctor(env: Record<string, string>, args: string[] = []) {
    const result = await runCli(["doctor", "--json", ...args], env);
    expect(result.stderr).toBe("");
    const report = JSON.parse(result.stdout) as { status: string; checks: CheckResult[] };
    const check = (name: string) => report.checks.filter((line) => line.check === name);
    return { code: result.code, report, check };
  }

  const endpoint = (params: Partial<Stripe.WebhookEndpointCreateParams> & { url: string }) =>
    api.stripe.webhookEndpoints.create({ enabled_events: ["*"], api_version: Stripe.API_VERSION, ...params });

  beforeAll(async () => {
    api = await startEmulatorClient();
    dir = tempDir();
    handlers = writeHandlersModule(
      dir,
      "handlers.mjs",
      `export default (inbox) => {
         inbox.on("invoice.*", () => {}, { name: "invoices" });
         inbox.on("charge.refunded", () => {}, { name: "refunds" });
       };`,
    );
  });
  afterAll(async () => {
    await api.emulator.close();
    for (const schema of schemas) await dropSchema(schema);
    rmSync(dir, { recursive: true, force: true });
  });

  it("checks the endpoint that delivers to --url: its status, API version, and events against the handlers", async () => {
    const url = "https://shop.example/webhooks/stripe/events-vs-handlers";
    const created = await endpoint({ url, enabled_events: ["invoice.paid", "customer.created"] });
    const result = await doctor(await inboxEnv(), ["--url", url, "--handlers", handlers]);
    expect(result.code).toBe(0);
    expect(result.check("handlers")).toEqual([
      expect.objectContaining({
        status: "ok",
        message: expect.stringMatching(/^2 in .*handlers\.mjs, for invoice\.\*, charge\.refunded$/),
      }),
    ]);
    expect(result.check("stripe api")[0]?.status).toBe("ok");
    expect(result.check("clock (stripe)")[0]?.status).toBe("ok");
    expect(result.check("endpoint")).toEqual([
      { check: "endpoint", status: "ok", message: `${created.id} is enabled and delivers to ${url}` },
    ]);
    expect(result.check("api version")[0]).toMatchObject({ status: "ok" });
    expect(result.check("events")).toEqual([
      {
        check: "events",
        status: "warn",
        message:
          `handled but not enabled on ${created.id}, so never delivered: charge.refunded; ` +
          `enabled on ${created.id} but without a handler (stored as no_handler): customer.created`,
      },
    ]);
  });

  it("is content when every enabled type has a handler and every handler's types are enabled", async () => {
    const url = "https://shop.example/webhooks/stripe/all-covered";
    await endpoint({ url, enabled_events: ["invoice.paid", "invoice.finalized", "charge.refunded"] });
    const result = await doctor(await inboxEnv(), ["--url", url, "--handlers", handlers]);
    expect(result.check("events")[0]?.status).toBe("ok");
    expect(result.report.status).toBe("ok");
  });

  it("fails when no endpoint delivers to --url, and when the one that does is disabled", async () => {
    const env = await inboxEnv();
    const none = await doctor(env, ["--url", "https://shop.example/nowhere"]);
    expect(none.code).toBe(1);
    expect(none.check("endpoint")[0]).toMatchObject({
      status: "fail",
      message: expect.stringMatching(
        /^no webhook endpoint delivers to https:\/\/shop\.example\/nowhere \(\d+ on the account\): create one with `stripe-inbox register/,
      ),
    });

    const url = "https://shop.example/webhooks/stripe/disabled";
    const created = await endpoint({ url });
    await api.stripe.webhookEndpoints.update(created.id, { disabled: true });
    const disabled = await doctor(env, ["--url", url]);
    expect(disabled.code).toBe(1);
    expect(disabled.check("endpoint")[0]).toMatchObject({
      status: "fail",
      message: `${created.id} is disabled: Stripe delivers nothing to ${url}; enable it in the Dashboard`,
    });
  });

  it("warns when the endpoint renders events in another API version than the stripe package's types", async () => {
    const env = await inboxEnv();
    const pinned = await endpoint({ url: "https://shop.example/old-version", api_version: "2024-06-20" });
    const old = await doctor(env, ["--url", pinned.url]);
    expect(old.check("api version")[0]).toMatchObject({
      status: "warn",
      message: expect.stringContaining(
        `${pinned.id} renders events in 2024-06-20, but the installed stripe package's types are for ${Stripe.API_VERSION}`,
      ),
    });
    const unpinned = await api.stripe.webhookEndpoints.create({
      url: "https://shop.example/account-default",
      enabled_events: ["*"],
    });
    const accountDefault = await doctor(env, ["--url", unpinned.url]);
    expect(accountDefault.check("api version")[0]?.message).toMatch(
      /renders events in the account's default API version/,
    );
    expect(accountDefault.code).toBe(0);
  });

  it("warns of a stored secret whose endpoint was deleted, naming it and how to remove it", async () => {
    const env = await inboxEnv({ STRIPE_WEBHOOK_SECRET: "" });
    const url = "https://shop.example/webhooks/stripe/registered";
    const made = await runCli(["register", "--url", url, "--events", "invoice.paid", "--json"], env);
    expect(made.code).toBe(0);
    const registered = JSON.parse(made.stdout) as { id: string; url: string; enabled_events: string[] };
    expect(registered).toEqual({
      id: expect.stringMatching(/^we_/),
      url,
      enabled_events: ["invoice.paid"],
      livemode: false,
    });
    expect(made.stdout).not.toMatch(/whsec_/);

    const present = await doctor(env);
    expect(present.check("webhook secret")[0]?.message).toBe(
      "no STRIPE_WEBHOOK_SECRET; serve verifies with the 1 stored by `register`",
    );
    // Without --url, the endpoints whose secrets are stored are the ones checked.
    expect(present.check("endpoint")[0]?.message).toBe(`${registered.id} is enabled and delivers to ${url}`);
    expect(present.check("stored secrets")[0]).toMatchObject({
      status: "ok",
      message: "1 stored, each of an endpoint that exists",
    });

    await api.stripe.webhookEndpoints.del(registered.id);
    const orphaned = await doctor(env);
    expect(orphaned.check("stored secrets")[0]).toMatchObject({
      status: "warn",
      message: expect.stringContaining(
        `the endpoint of ${registered.id} (${url}) no longer exists, yet serve still accepts its secret; remove it: ` +
          `DELETE FROM "${env.STRIPE_INBOX_SCHEMA}".webhook_secrets WHERE endpoint_id IN ('${registered.id}')`,
      ),
    });
  });

  it("says the endpoint checks did not run without STRIPE_API_KEY, and fails a key the API refuses", async () => {
    const withoutKey = await doctor(await inboxEnv({ STRIPE_API_KEY: "" }), ["--url", "https://shop.example/x"]);
    expect(withoutKey.check("stripe api")[0]).toMatchObject({
      status: "warn",
      message: expect.stringMatching(/^STRIPE_API_KEY is not set: the endpoint, API version and stored-secret checks/),
    });
    expect(withoutKey.check("endpoint")).toEqual([]);

    const refused = await doctor(await inboxEnv({ STRIPE_API_KEY: "sk_live_not_for_the_emulator" }));
    expect(refused.code).toBe(1);
    expect(refused.check("stripe api")[0]?.status).toBe("fail");
    expect(refused.check("stripe api")[0]?.message).toMatch(
      /^listing webhook endpoints at http:\/\/127\.0\.0\.1:\d+ failed: /,
    );

    const publishable = await doctor(await inboxEnv({ STRIPE_API_KEY: "pk_test_abc" }));
    expect(publishable.code).toBe(1);
    expect(publishable.check("api key")[0]?.status).toBe("fail");
    expect(publishable.check("stripe api")).toEqual([]);
  });
});

describe("doctor compares this machine's clock with Stripe's Date header", () => {
  let skewed: RunningEmulator | undefined;
  const schemas: string[] = [];
  afterAll(async () => {
    await skewed?.close();
    for (const schema of schemas) await dropSchema(schema);
  });

  async function clockAgainst(offsetMs: number): Promise<CheckResult | undefined> {
    await skewed?.close();
    skewed = await startEmulator({ port: 0, clock: () => new Date(Date.now() + offsetMs) });
    const schema = uniqueSchema();
    schemas.push(schema);
    const env = {
      DATABASE_URL: POSTGRES_URL,
      STRIPE_INBOX_SCHEMA: schema,
      STRIPE_WEBHOOK_SECRET: SECRET,
      STRIPE_API_KEY: KEY,
      STRIPE_API_BASE: skewed.url,
    };
    // The emulator's clock is Stripe's: the answer's Date header carries it, as Stripe's does.
    const stripe = createStripeClient({ apiKey: KEY, apiBase: skewed.url }, "test");
    const answer = await stripe.webhookEndpoints.list();
    expect(Math.abs(Date.parse(answer.lastResponse.headers.date ?? "") - (Date.now() + offsetMs))).toBeLessThan(5_000);
    const result = await runCli(["doctor", "--json"], env);
    const report = JSON.parse(result.stdout) as { checks: CheckResult[] };
    return report.checks.find((line) => line.check === "clock (stripe)");
  }

  it("fails past the signature tolerance, warns past a few seconds, and is ok in step", async () => {
    const far = await clockAgainst(-10 * 60_000);
    expect(far?.status).toBe("fail");
    expect(far?.message).toMatch(
      /^this machine's clock is 6\d\d\.\d s ahead of Stripe's \(its Date header\), beyond the 300 s signature tolerance/,
    );
    // The Date header counts whole seconds: 40 s apart reads as 39 to 41.
    const apart = await clockAgainst(40_000);
    expect(apart?.status).toBe("warn");
    expect(apart?.message).toMatch(
      /^this machine's clock is (39|40|41)\.\d s behind Stripe's \(its Date header\); sync it/,
    );
    expect((await clockAgainst(0))?.status).toBe("ok");
  });
});
