import { rmSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { eventBody, signedHeaders } from "../support/events.js";
import { migratedPgliteDir } from "../support/pglite-template.js";
import { runCli, type ServeProcess, startServe } from "../support/processes.js";
import { tempDir } from "../support/stores.js";
import { writeHandlersModule } from "../support/workers.js";

const TOKEN = "through-server-admin-token-0123456789";

describe("events and replay while serve holds the PGlite data dir", () => {
  let serve: ServeProcess | undefined;
  let dir: string | undefined;
  const copies: string[] = [];
  afterEach(async () => {
    await serve?.kill();
    serve = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
    for (const copy of copies.splice(0)) rmSync(copy, { recursive: true, force: true });
  });

  it("answer through the server's admin API exactly what they print on the store itself", async () => {
    dir = tempDir();
    // Copied from a migrated template: initdb in serve would take most of the test's time on a loaded machine.
    const dataDir = await migratedPgliteDir();
    copies.push(dataDir);
    const handlers = writeHandlersModule(
      dir,
      "handlers.mjs",
      `export default (inbox) => inbox.on("invoice.paid", () => { throw new Error("ledger down"); },
        { name: "book-revenue", retry: { maxAttempts: 1 } });`,
    );
    const env = { STRIPE_INBOX_DATA_DIR: dataDir, STRIPE_INBOX_ADMIN_TOKEN: TOKEN };
    serve = await startServe({
      env: { ...env, STRIPE_INBOX_PAUSE_AFTER_FAILURES: "off" },
      args: ["--handlers", handlers],
    });
    const ids: string[] = [];
    for (const type of ["invoice.paid", "customer.created", "invoice.paid"]) {
      const body = eventBody({ type });
      ids.push((JSON.parse(body) as { id: string }).id);
      const response = await fetch(serve.url, { method: "POST", headers: signedHeaders(body), body });
      expect(response.status).toBe(200);
    }
    const [firstInvoice, customer] = ids as [string, string, string];
    const commands = [
      ["events", "list", "--json"],
      ["events", "list", "--type", "invoice.*", "--limit", "1"],
      ["events", "show", firstInvoice, "--json"],
      ["events", "show", customer],
      ["replay", "--dead", "--failed", "--dry-run"],
      ["replay", "--type", "invoice.*", "--since", "1h", "--dry-run"],
    ];
    const run = async (args: string[]) => {
      const result = await runCli(args, env);
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      return result.stdout;
    };
    await expect
      .poll(
        async () =>
          (JSON.parse(await run(["events", "list", "--json"])) as Array<{ status: string }>).map((e) => e.status),
        {
          timeout: 10_000,
        },
      )
      .toEqual(["dead", "no_handler", "dead"]);

    const throughServer: string[] = [];
    for (const args of commands) throughServer.push(await run(args));
    expect(throughServer[4]).toBe("would replay 2 run(s); 0 event(s) without a handler re-dispatched\n");
    expect(throughServer[1]).toContain(ids[2]);
    expect((await runCli(["events", "show", "evt_missing"], env)).stderr).toBe(
      "stripe-inbox: No event evt_missing in the inbox.\n",
    );

    serve.child.kill("SIGTERM");
    await serve.exited;
    const onTheStore: string[] = [];
    for (const args of commands) onTheStore.push(await run(args));
    // The tables say times relative to now, which moves on between the two runs, and size their columns to them.
    const untimed = (outputs: string[]) =>
      outputs.map((output) => output.replace(/just now|in \d+ \w+|\d+ (s|min|h|d) ago/g, "<when>").replace(/ +/g, " "));
    expect(untimed(onTheStore)).toEqual(untimed(throughServer));
    // Twelve CLI processes, six of them opening PGlite: more than the default minute on a loaded machine.
  }, 180_000);

  it("replays through the server, which runs the handlers again", async () => {
    dir = tempDir();
    // Copied from a migrated template: initdb in serve would take most of the test's time on a loaded machine.
    const dataDir = await migratedPgliteDir();
    copies.push(dataDir);
    const handlers = writeHandlersModule(
      dir,
      "handlers.mjs",
      `let calls = 0;
       export default (inbox) => inbox.on("invoice.paid", () => { if (++calls === 1) throw new Error("ledger down"); },
        { name: "book-revenue", retry: { maxAttempts: 1 } });`,
    );
    const env = { STRIPE_INBOX_DATA_DIR: dataDir, STRIPE_INBOX_ADMIN_TOKEN: TOKEN };
    serve = await startServe({ env, args: ["--handlers", handlers] });
    const body = eventBody({ type: "invoice.paid" });
    const { id } = JSON.parse(body) as { id: string };
    expect((await fetch(serve.url, { method: "POST", headers: signedHeaders(body), body })).status).toBe(200);
    const status = async () =>
      (JSON.parse((await runCli(["events", "show", id, "--json"], env)).stdout) as { status: string }).status;
    await expect.poll(status, { timeout: 10_000 }).toBe("dead");
    expect((await runCli(["replay", "--dead"], env)).stdout).toBe(
      "replayed 1 run(s); 0 event(s) without a handler re-dispatched\n",
    );
    await expect.poll(status, { timeout: 10_000 }).toBe("succeeded");
  });
});
