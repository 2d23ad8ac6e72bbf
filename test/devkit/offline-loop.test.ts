import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/devkit/emulator/index.js";
import { freePort, runCli, type ServeProcess, startServe } from "../support/processes.js";
import { dropSchema, POSTGRES_URL, tempDir, uniqueSchema } from "../support/stores.js";
import { writeHandlersModule } from "../support/workers.js";

const HANDLERS = `
export default (inbox) => {
  inbox.on("*", async () => {}, { name: "acknowledge" });
};
`;

const schema = uniqueSchema();
const mirror = uniqueSchema();
let emulator: RunningEmulator | undefined;
let serve: ServeProcess | undefined;
afterAll(async () => {
  await serve?.kill();
  await emulator?.close();
  await dropSchema(schema);
  await dropSchema(mirror);
});

async function query<Row>(sql: string): Promise<Row[]> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    return (await client.query(sql)).rows as Row[];
  } finally {
    await client.end();
  }
}

describe("the offline loop: emulator, register, serve with handlers and the mirror, trigger", () => {
  it("ends with Stripe's event sequences stored, in order, handled, and mirrored", async () => {
    emulator = await startEmulator({ port: 0 });
    const port = await freePort();
    const env = {
      DATABASE_URL: POSTGRES_URL,
      STRIPE_INBOX_SCHEMA: schema,
      STRIPE_API_BASE: emulator.url,
      STRIPE_API_KEY: "sk_test_offline_loop",
    };
    const registered = await runCli(
      ["register", "--url", `http://127.0.0.1:${port}/webhooks/stripe`, "--events", "*"],
      env,
    );
    expect(registered.stderr).toBe("");
    const handlers = writeHandlersModule(tempDir(), "handlers.mjs", HANDLERS);
    serve = await startServe({ port, env, args: ["--handlers", handlers, "--mirror", mirror] });

    for (const event of ["payment_intent.succeeded", "customer.subscription.created"]) {
      const triggered = await runCli(["trigger", event], env);
      expect(triggered.code, triggered.stderr).toBe(0);
    }
    await emulator.deliveriesSettled();
    expect(emulator.deliveries().every((attempt) => attempt.status === 200)).toBe(true);

    const stored = await query<{ type: string }>(
      `SELECT e.type FROM "${schema}".deliveries d JOIN "${schema}".events e ON e.id = d.event_id
        WHERE d.outcome = 'stored' ORDER BY d.id`,
    );
    const types = stored.map((row) => row.type);
    expect(types).toEqual(emulator.events().map((event) => event.type));
    expect(types.slice(0, 4)).toEqual([
      "payment_intent.created",
      "charge.succeeded",
      "payment_intent.succeeded",
      "charge.updated",
    ]);
    expect(types.slice(4)).toEqual([
      "customer.created",
      "payment_method.attached",
      "customer.updated",
      "product.created",
      "price.created",
      "customer.subscription.created",
      "invoice.created",
      "invoice.finalized",
      "payment_intent.created",
      "charge.succeeded",
      "payment_intent.succeeded",
      "charge.updated",
      "invoice_payment.paid",
      "invoice.paid",
      "invoice.payment_succeeded",
      "customer.subscription.updated",
    ]);

    // Every handler, ours and the mirror's, has run every event once and succeeded.
    const deadline = Date.now() + 30_000;
    let runs: { handler: string; status: string; count: string }[] = [];
    while (Date.now() < deadline) {
      runs = await query(
        `SELECT handler, status, count(*) FROM "${schema}".handler_runs GROUP BY handler, status ORDER BY handler`,
      );
      if (runs.length > 1 && runs.every((run) => run.status === "succeeded")) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(runs.find((run) => run.handler === "acknowledge")).toEqual({
      handler: "acknowledge",
      status: "succeeded",
      count: String(types.length),
    });
    expect(runs.every((run) => run.status === "succeeded" && run.count === String(types.length))).toBe(true);

    const subscription = emulator.events().find((event) => event.type === "customer.subscription.updated");
    const subscriptionId = (subscription?.data.object as { id: string } | undefined)?.id;
    const mirrored = await query<{ id: string; status: string }>(
      `SELECT id, data->>'status' AS status FROM "${mirror}".subscriptions`,
    );
    expect(mirrored).toEqual([{ id: subscriptionId, status: "active" }]);
    const intents = await query<{ status: string }>(
      `SELECT data->>'status' AS status FROM "${mirror}".payment_intents`,
    );
    expect(intents).toEqual([{ status: "succeeded" }, { status: "succeeded" }]);
  });
});
