import { afterEach, describe, expect, it } from "vitest";
import { createInbox, type Inbox } from "../../src/create-inbox.js";
import { LATEST_MIRROR_MIGRATION } from "../../src/mirror/readiness.js";
import { SECRET } from "../support/events.js";
import { dropSchema, ENGINES, openTestStore, type TestStore } from "../support/stores.js";

describe.each(ENGINES)("readiness with the mirror on %s", (engine) => {
  let db: TestStore;
  let inbox: Inbox;
  let mirrorSchema: string;
  afterEach(async () => {
    await inbox.stop();
    if (engine === "postgres") await dropSchema(mirrorSchema);
    await db.cleanup();
  });

  const open = async () => {
    db = await openTestStore(engine);
    await db.store.close();
    mirrorSchema = engine === "postgres" ? `${db.config.schema}_mirror` : "stripe";
    inbox = createInbox({ secret: SECRET, ...db.config, mirror: { schema: mirrorSchema }, workers: false });
  };

  it("is ready once the inbox's and the mirror's migrations are applied", async () => {
    await open();
    // Opened first: the migrations that opening applies may take longer than a readiness probe waits.
    await inbox.store();
    expect(await inbox.readiness()).toEqual({ ready: true });
  });

  it("says the mirror's migrations are behind when one is missing", async () => {
    await open();
    const store = await inbox.store();
    await store.query(`DELETE FROM "${mirrorSchema}"._migrations WHERE id = $1`, [LATEST_MIRROR_MIGRATION]);
    expect(await inbox.readiness()).toEqual({ ready: false, reason: "mirror_migrations_pending" });
  });
});
