import { spawn } from "node:child_process";
import type Stripe from "stripe";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/devkit/emulator/index.js";
import { createStripeClient } from "../../src/stripe-api.js";
import { CLI, cleanEnv, runCli, type ServeProcess, startServe } from "../support/processes.js";
import { dropSchema, POSTGRES_URL, uniqueSchema } from "../support/stores.js";
import { mirrorEvent, mirroredEmail, postSigned } from "./support.js";

describe("revalidation from the CLI on postgres", () => {
  let emulator: RunningEmulator;
  let stripe: Stripe;
  const schemas: string[] = [];
  const processes: ServeProcess[] = [];
  let stopWorker: (() => void) | undefined;
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    stripe = createStripeClient({ apiKey: "sk_test_cli", apiBase: emulator.url }, "test");
  });
  afterEach(async () => {
    stopWorker?.();
    for (const running of processes.splice(0)) await running.kill();
    for (const schema of schemas.splice(0)) await dropSchema(schema);
  });
  afterAll(async () => {
    await emulator.close();
  });

  const schemasAndEnv = () => {
    const [schema, mirrorSchema] = [uniqueSchema(), uniqueSchema()];
    schemas.push(schema, mirrorSchema);
    const env = {
      DATABASE_URL: POSTGRES_URL,
      STRIPE_INBOX_SCHEMA: schema,
      STRIPE_API_KEY: "sk_test_cli",
      STRIPE_API_BASE: emulator.url,
    };
    return { mirrorSchema, env };
  };
  /** A customer whose email changed after the event about it: the event's snapshot is stale. */
  const staleEventAbout = async () => {
    const customer = await stripe.customers.create({ email: "first@example.com" });
    await stripe.customers.update(customer.id, { email: "current@example.com" });
    const event = mirrorEvent({
      type: "customer.updated",
      object: { ...customer, object: "customer", email: "stale@example.com" },
      created: Math.floor(Date.now() / 1000),
    });
    return { id: customer.id, body: JSON.stringify(event) };
  };
  it("serve --mirror --revalidate customers writes the customer as the emulator has it", async () => {
    const { mirrorSchema, env } = schemasAndEnv();
    const serve = await startServe({
      env,
      args: ["--mirror", mirrorSchema, "--revalidate", "customers"],
    });
    processes.push(serve);
    const { id, body } = await staleEventAbout();
    await postSigned(serve, body);
    await expect.poll(() => mirroredEmail(mirrorSchema, id), { timeout: 15_000 }).toBe("current@example.com");
  });

  it("worker --mirror with STRIPE_INBOX_MIRROR_REVALIDATE writes the customer as the emulator has it", async () => {
    const { mirrorSchema, env } = schemasAndEnv();
    const serve = await startServe({ env });
    processes.push(serve);
    const worker = spawn(process.execPath, [CLI, "worker", "--mirror", mirrorSchema], {
      env: cleanEnv({ ...env, STRIPE_INBOX_MIRROR_REVALIDATE: "customers" }),
      stdio: "ignore",
    });
    stopWorker = () => {
      worker.kill("SIGKILL");
    };
    const { id, body } = await staleEventAbout();
    await postSigned(serve, body);
    await expect.poll(() => mirroredEmail(mirrorSchema, id), { timeout: 15_000 }).toBe("current@example.com");
  });

  it("serve --revalidate without STRIPE_API_KEY says so in one line", async () => {
    const result = await runCli(["serve", "--mirror", "--revalidate", "customers"], { DATABASE_URL: POSTGRES_URL });
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain("STRIPE_API_KEY");
  });

  it("worker --revalidate of a type it cannot fetch names the ones it can, in one line", async () => {
    const result = await runCli(["worker", "--mirror", "--revalidate", "widgets"], {
      DATABASE_URL: POSTGRES_URL,
      STRIPE_API_KEY: "sk_test_cli",
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain("Cannot revalidate widgets; known types:");
  });

  it("--revalidate without the mirror says it needs --mirror, in one line", async () => {
    const result = await runCli(["worker", "--handlers", "./none.js", "--revalidate", "customers"], {
      DATABASE_URL: POSTGRES_URL,
      STRIPE_API_KEY: "sk_test_cli",
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain("needs the mirror: add --mirror");
  });
});
