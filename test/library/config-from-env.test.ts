import { afterEach, describe, expect, it } from "vitest";
import { configFromEnv } from "../../src/config.js";
import { createInbox, type Inbox } from "../../src/create-inbox.js";
import { eventBody, SECRET, signedHeaders } from "../support/events.js";
import { dropSchema, POSTGRES_URL, tempDir, uniqueSchema } from "../support/stores.js";

describe("createInbox(configFromEnv())", () => {
  let inbox: Inbox | undefined;
  let schema: string | undefined;
  afterEach(async () => {
    await inbox?.stop();
    if (schema) await dropSchema(schema);
  });

  const post = (body: string) =>
    (inbox as Inbox).fetch(
      new Request("http://inbox.test/webhooks/stripe", { method: "POST", headers: signedHeaders(body), body }),
    );

  it("makes the inbox the environment describes: its database, schema, secret, body limit and route", async () => {
    schema = uniqueSchema();
    inbox = createInbox(
      configFromEnv({
        DATABASE_URL: POSTGRES_URL,
        STRIPE_INBOX_SCHEMA: schema,
        STRIPE_INBOX_DATA_DIR: tempDir(),
        STRIPE_WEBHOOK_SECRET: `whsec_rotated_out,${SECRET}`,
        STRIPE_INBOX_MAX_BODY_BYTES: "4096",
        STRIPE_INBOX_WEBHOOK_PATH: "/hooks/stripe",
      }),
    );
    const body = eventBody();
    expect((await post(body)).status).toBe(200);
    expect((await post(eventBody({ padding: "x".repeat(4096) }))).status).toBe(413);
    expect(inbox.path).toBe("/hooks/stripe");
    const store = await inbox.store();
    expect(store.engine).toBe("postgres");
    const stored = await store.query<{ id: string }>(`SELECT id FROM "${schema}".events`);
    expect(stored.map((row) => row.id)).toEqual([JSON.parse(body).id]);
  });
});
