import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { eventBody, signedHeaders } from "../support/events.js";
import { driveLoad } from "../support/load.js";
import { migratedPgliteDir } from "../support/pglite-template.js";
import { type ServeProcess, startServe } from "../support/processes.js";
import { openRawClient, requestHead } from "../support/raw-http.js";
import { storedEventIds } from "../support/stored-ids.js";
import { dropSchema, ENGINES, POSTGRES_URL, tempDir, uniqueSchema } from "../support/stores.js";

const HELD_REQUESTS = 4;

describe.each(ENGINES)("SIGTERM under load on %s", (engine) => {
  const schema = uniqueSchema();
  let dataDir = "";
  let server: ServeProcess | undefined;

  afterAll(async () => {
    await server?.kill();
    if (engine === "postgres") await dropSchema(schema);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("finishes the requests in flight, stores every acknowledged one, and exits 0", async () => {
    dataDir = engine === "pglite" ? await migratedPgliteDir() : tempDir();
    const env = engine === "postgres" ? { DATABASE_URL: POSTGRES_URL, STRIPE_INBOX_SCHEMA: schema } : {};
    const running = await startServe({ env, args: ["--data-dir", dataDir] });
    server = running;

    // Requests the server is in the middle of reading when the signal comes: half their body is sent.
    const held = await Promise.all(
      Array.from({ length: HELD_REQUESTS }, async () => {
        const body = eventBody();
        const client = await openRawClient(running.base);
        const head = requestHead("/webhooks/stripe", {
          ...signedHeaders(body),
          "content-length": Buffer.byteLength(body),
        });
        await client.write(head + body.slice(0, 100));
        return { client, body, id: (JSON.parse(body) as { id: string }).id };
      }),
    );

    let signalledAt = 0;
    const signalled = new Promise<void>((resolve) =>
      setTimeout(() => {
        signalledAt = Date.now();
        running.child.kill("SIGTERM");
        resolve();
      }, 1_000),
    );
    const load = driveLoad({
      url: running.url,
      concurrency: 32,
      stop: running.exited,
      maxMs: 15_000,
    });
    await signalled;
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (const { client, body } of held) await client.write(body.slice(100));
    const heldAnswers = await Promise.all(held.map(({ client }) => client.answer));

    const exit = await running.exited;
    const stoppedIn = Date.now() - signalledAt;
    const report = await load;
    console.log(
      `[graceful-shutdown ${engine}] sent ${report.sent}: 200 ${report.acknowledged.size}, ` +
        `other status ${report.refused.size}, unanswered ${report.failed.size}; exited ${stoppedIn} ms after SIGTERM`,
    );
    expect(exit).toEqual({ code: 0, signal: null });
    expect(heldAnswers.map((answer) => answer.status)).toEqual(held.map(() => 200));
    // Stopping must not wait for the clients to go away, nor for the forced close of the grace period.
    expect(stoppedIn).toBeLessThan(5_000);

    const acknowledged = [...report.acknowledged, ...held.map(({ id }) => id)];
    const unanswered = [...report.failed.keys()];
    const found = await storedEventIds(engine, { schema, dataDir }, [...acknowledged, ...unanswered]);
    expect(acknowledged.filter((id) => !found.has(id))).toEqual([]);
    // A delivery that was committed got its answer: a connection reset only ever hits one not yet read.
    expect(unanswered.filter((id) => found.has(id))).toEqual([]);
    expect([...report.refused.values()].filter((status) => status !== 503)).toEqual([]);
  });
});
