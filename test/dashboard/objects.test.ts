import { afterEach, describe, expect, it } from "vitest";
import { eventBody } from "../support/events.js";
import { dropSchema, ENGINES, uniqueSchema } from "../support/stores.js";
import { deliver, openWorkerTestDb, sleep, type WorkerTestDb } from "../support/workers.js";
import { call, type DashboardServer, startDashboardServer } from "./support.js";

interface ObjectAnswer {
  object_type: string | null;
  mirror: { schema: string; table: string; rows: Array<{ id: string; data: { email: string } }> } | null;
  events: Array<{ id: string; status: string }>;
}

describe.each(ENGINES)("the object page's API on %s", (engine) => {
  let db: WorkerTestDb | undefined;
  let running: DashboardServer | undefined;
  let mirrorSchema: string | undefined;
  afterEach(async () => {
    await running?.close();
    if (engine === "postgres" && mirrorSchema) await dropSchema(mirrorSchema);
    await db?.cleanup();
  });

  it("shows an object's mirror row and the events that shaped it", async () => {
    db = await openWorkerTestDb(engine);
    mirrorSchema = uniqueSchema();
    running = await startDashboardServer(
      { ...db.config, workers: { pollMs: 20 }, mirror: { schema: mirrorSchema } },
      { mirrorSchema },
    );
    const customer = { id: "cus_dashboard_1", object: "customer", email: "old@example.com", metadata: {} };
    const now = Math.floor(Date.now() / 1000);
    const created = eventBody({ type: "customer.created", created: now - 5, data: { object: customer } });
    const updated = eventBody({
      type: "customer.updated",
      created: now,
      data: { object: { ...customer, email: "new@example.com" } },
    });
    await deliver(running.inbox, created);
    await deliver(running.inbox, updated);
    const read = async (id: string) => {
      const answer = await call(`${running?.base}/api/objects/${id}`);
      expect(answer.status, answer.text).toBe(200);
      return answer.json as unknown as ObjectAnswer;
    };
    let object = await read(customer.id);
    for (let waited = 0; object.events.some((event) => event.status !== "succeeded") && waited < 15_000; waited += 50) {
      await sleep(50);
      object = await read(customer.id);
    }
    expect(object.object_type).toBe("customer");
    expect(object.events.map((event) => event.id)).toEqual(
      [updated, created].map((body) => (JSON.parse(body) as { id: string }).id),
    );
    expect(object.mirror).toMatchObject({ schema: mirrorSchema, table: "customers" });
    expect(object.mirror?.rows).toHaveLength(1);
    expect(object.mirror?.rows[0]?.data.email).toBe("new@example.com");

    const unknown = await read("cus_never_seen");
    expect(unknown).toEqual({ id: "cus_never_seen", object_type: null, mirror: null, events: [] });
  });
});
