import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventBody, signedHeaders } from "../support/events.js";
import { postRaw } from "../support/load.js";
import { migratedPgliteDir } from "../support/pglite-template.js";
import { freePort, runCli, type ServeProcess, startServe } from "../support/processes.js";

const LOCK_FILE = "inbox.lock";

/** A pid that surely belonged to a process and surely does not any more. */
function deadPid(): number {
  const gone = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  return Number(gone.stdout);
}

describe("the PGlite data directory lock", () => {
  let dataDir = "";
  const started: ServeProcess[] = [];
  const serve = async () => {
    const server = await startServe({ env: {}, args: ["--data-dir", dataDir] });
    started.push(server);
    return server;
  };
  const stop = async (server: ServeProcess) => {
    server.child.kill("SIGTERM");
    expect((await server.exited).code).toBe(0);
  };
  const deliver = async (server: ServeProcess) => {
    const body = eventBody();
    return (await postRaw(server.url, body, signedHeaders(body))).status;
  };

  beforeAll(async () => {
    dataDir = await migratedPgliteDir();
  });
  afterAll(async () => {
    for (const server of started) await server.kill();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("refuses a second process on the same directory with one clear line and exit code 2", async () => {
    const owner = await serve();
    expect(readFileSync(join(dataDir, LOCK_FILE), "utf8").trim()).toBe(String(owner.pid));

    const secondServe = await runCli(["serve", "--port", String(await freePort()), "--data-dir", dataDir], {
      STRIPE_WEBHOOK_SECRET: "whsec_second",
    });
    // `events`, `replay` and `handlers` go through the owner's admin API instead (test/cli/through-server.test.ts).
    const secondMigrate = await runCli(["migrate", "--data-dir", dataDir], {});
    for (const refused of [secondServe, secondMigrate]) {
      expect(refused.code).toBe(2);
      const lines = refused.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^stripe-inbox: .*in use by process \d+/);
      expect(lines[0]).toContain(String(owner.pid));
      expect(refused.stderr).not.toMatch(/\n\s+at /);
    }
    // The owner was not disturbed.
    expect(owner.isRunning()).toBe(true);
    expect(await deliver(owner)).toBe(200);
    await stop(owner);
  });

  it("takes over a lock file left by a dead process, and one with no pid in it", async () => {
    for (const leftover of [String(deadPid()), "not a pid"]) {
      writeFileSync(join(dataDir, LOCK_FILE), leftover);
      const server = await serve();
      expect(readFileSync(join(dataDir, LOCK_FILE), "utf8").trim()).toBe(String(server.pid));
      expect(await deliver(server)).toBe(200);
      await stop(server);
    }
  });
});
