import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { eventBody, signedHeaders } from "../support/events.js";
import { driveLoad, postRaw } from "../support/load.js";
import { migratedPgliteDir } from "../support/pglite-template.js";
import { freePort, type ServeProcess, startServe } from "../support/processes.js";
import { storedEventIds } from "../support/stored-ids.js";
import { dropSchema, ENGINES, POSTGRES_URL, tempDir, uniqueSchema } from "../support/stores.js";

const CONCURRENCY = 32;
const ACKNOWLEDGED_BEFORE_KILL = 300;
const LOAD_MAX_MS = 30_000;

describe.each(ENGINES)("kill -9 under load on %s", (engine) => {
  const schema = uniqueSchema();
  let dataDir = "";
  const env = engine === "postgres" ? { DATABASE_URL: POSTGRES_URL, STRIPE_INBOX_SCHEMA: schema } : {};
  const started: ServeProcess[] = [];
  const serve = async (port: number) => {
    const server = await startServe({ port, env, args: ["--data-dir", dataDir] });
    started.push(server);
    return server;
  };

  afterAll(async () => {
    for (const server of started) await server.kill();
    if (engine === "postgres") await dropSchema(schema);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("keeps every acknowledged event across a crash and a restart on the same data", async () => {
    dataDir = engine === "pglite" ? await migratedPgliteDir() : tempDir();
    const port = await freePort();
    const first = await serve(port);
    // Killed once enough deliveries were acknowledged (however slow the machine), while the clients keep posting,
    // so deliveries are in every stage when the process dies.
    let kill = () => {};
    const killed = new Promise<void>((resolve) => {
      kill = () => {
        first.child.kill("SIGKILL");
        resolve();
      };
    });
    const load = await driveLoad({
      url: first.url,
      concurrency: CONCURRENCY,
      onAcknowledged: (count) => {
        if (count === ACKNOWLEDGED_BEFORE_KILL) kill();
      },
      stop: killed.then(() => first.exited).then(() => new Promise((resolve) => setTimeout(resolve, 100))),
      maxMs: LOAD_MAX_MS,
    });
    kill(); // when the load ended first: the count below then says why
    expect(await first.exited).toEqual({ code: null, signal: "SIGKILL" });
    expect(load.acknowledged.size).toBeGreaterThanOrEqual(ACKNOWLEDGED_BEFORE_KILL);

    // PGlite: the dead process's lock file is still there and must be taken over.
    const second = await serve(port);
    const after = eventBody();
    const answer = await postRaw(second.url, after, signedHeaders(after));
    expect(answer.status).toBe(200);
    if (engine === "pglite") {
      second.child.kill("SIGTERM");
      expect((await second.exited).code).toBe(0);
    }

    const acknowledged = [...load.acknowledged];
    const found = await storedEventIds(engine, { schema, dataDir }, [...acknowledged, JSON.parse(after).id]);
    const missing = acknowledged.filter((id) => !found.has(id));
    console.log(
      `[crash-recovery ${engine}] sent ${load.sent}, acknowledged ${acknowledged.length}, ` +
        `found after kill -9 and restart ${acknowledged.length - missing.length}, missing ${missing.length}, ` +
        `unanswered ${load.failed.size}, other status ${load.refused.size}`,
    );
    expect(missing).toEqual([]);
    expect(found.has(JSON.parse(after).id)).toBe(true);
  });
});
