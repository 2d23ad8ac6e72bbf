import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { adminClient, findRunningServer } from "../../src/dashboard/admin-client.js";
import { eventBody, signedHeaders } from "../support/events.js";
import { migratedPgliteDir } from "../support/pglite-template.js";
import { type ServeProcess, startServe } from "../support/processes.js";
import { sleep, writeHandlersModule } from "../support/workers.js";
import { sample } from "./prometheus.js";
import { call } from "./support.js";

const TOKEN = "serve-test-admin-token-0123456789";

describe("stripe-inbox serve", () => {
  let serve: ServeProcess | undefined;
  let dataDir: string | undefined;
  afterEach(async () => {
    await serve?.kill();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("serves the dashboard, the admin API behind the token, and /metrics", async () => {
    dataDir = await migratedPgliteDir();
    serve = await startServe({
      env: { STRIPE_INBOX_DATA_DIR: dataDir, STRIPE_INBOX_ADMIN_TOKEN: TOKEN },
    });
    const page = await call(`${serve.base}/`);
    expect(page.status).toBe(200);
    expect(page.headers["content-type"]).toContain("text/html");
    expect(page.headers["content-security-policy"]).toContain("script-src 'self'");
    expect((await call(`${serve.base}/dashboard.js`)).text).toContain("function eventListView");
    expect((await call(`${serve.base}/api/events`)).status).toBe(401);
    const events = await call(`${serve.base}/api/events`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(events.status).toBe(200);
    expect(events.json).toEqual({ data: [], next_cursor: null });
    const metrics = await call(`${serve.base}/metrics`);
    expect(sample(metrics.text, "stripe_inbox_store_scrape_ok")).toBe(1);
    expect(sample(metrics.text, "stripe_inbox_runs", { status: "dead" })).toBe(0);
    expect(serve.output()).not.toContain(TOKEN);
  });

  it("on PGlite, tells other commands where it listens, so they list and replay through its admin API", async () => {
    dataDir = await migratedPgliteDir();
    const handlers = writeHandlersModule(
      dataDir,
      "handlers.mjs",
      `export default (inbox) => inbox.on("customer.created", () => { throw new Error("CRM down"); },
        { name: "sync-crm", retry: { maxAttempts: 1 } });`,
    );
    serve = await startServe({
      env: { STRIPE_INBOX_DATA_DIR: dataDir, STRIPE_INBOX_ADMIN_TOKEN: TOKEN },
      args: ["--handlers", handlers],
    });
    const body = eventBody();
    const { id } = JSON.parse(body) as { id: string };
    expect((await fetch(serve.url, { method: "POST", headers: signedHeaders(body), body })).status).toBe(200);
    const base = findRunningServer(dataDir);
    expect(base).toBe(serve.base);
    expect(readFileSync(join(dataDir, "serve.json"), "utf8")).not.toContain(TOKEN);
    const client = adminClient(base ?? "", TOKEN);
    expect((await client.listEvents({ limit: "10" })).data.map((event) => event.id)).toEqual([id]);
    for (let waited = 0; (await client.showEvent(id))?.status !== "dead" && waited < 10_000; waited += 50) {
      await sleep(50);
    }
    expect((await client.showEvent(id))?.status).toBe("dead");
    expect(await client.showEvent("evt_missing")).toBeNull();
    expect(await client.replay({ event_id: id, dry_run: true })).toEqual({
      runs: 1,
      events: 0,
      handlers: [{ handler: "sync-crm", runs: 1 }],
      dry_run: true,
    });
    await expect(adminClient(base ?? "", "wrong").listEvents({})).rejects.toMatchObject({
      code: "admin_token_invalid",
    });
    serve.child.kill("SIGTERM");
    await serve.exited;
    expect(findRunningServer(dataDir)).toBeNull();
  });

  it("answers 403 on the admin API when it listens beyond loopback without a token, and says so at start", async () => {
    dataDir = await migratedPgliteDir();
    serve = await startServe({ env: { STRIPE_INBOX_DATA_DIR: dataDir, HOST: "0.0.0.0" } });
    const refused = await call(`${serve.base}/api/events`);
    expect(refused.status).toBe(403);
    expect(refused.json.error?.code).toBe("admin_token_not_configured");
    expect(serve.output()).toContain("STRIPE_INBOX_ADMIN_TOKEN is not set");
    // Receiving webhooks is not affected.
    expect((await call(`${serve.base}/healthz`)).status).toBe(200);
  });
});
