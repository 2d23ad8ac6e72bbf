import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { createInbox, type Inbox } from "../src/create-inbox.js";
import { ConfigError } from "../src/errors.js";
import { createLogger } from "../src/log.js";
import { eventBody, SECRET, signedHeaders } from "./support/events.js";
import { captureLines } from "./support/log-lines.js";
import { migratedPgliteDir } from "./support/pglite-template.js";
import { CLI, cleanEnv } from "./support/processes.js";
import { openWorkerTestDb, sleep, type WorkerTestDb } from "./support/workers.js";

describe("structured logs", () => {
  let db: WorkerTestDb | undefined;
  let inbox: Inbox | undefined;
  afterEach(async () => {
    await inbox?.stop();
    inbox = undefined;
    await db?.cleanup();
  });

  const post = (body: string, headers: Record<string, string>) =>
    inbox?.fetch(new Request("http://inbox.test/webhooks/stripe", { method: "POST", headers, body }));

  it("writes a failed run as one JSON line with its event id, type, handler and attempt", async () => {
    const out = captureLines();
    db = await openWorkerTestDb("pglite");
    inbox = createInbox({
      secret: SECRET,
      ...db.config,
      logger: createLogger({ level: "info", destination: out.destination }),
      workers: { pollMs: 20 },
    });
    inbox.on(
      "invoice.paid",
      () => {
        throw new Error("ledger down");
      },
      { name: "book-revenue", retry: { maxAttempts: 1 } },
    );
    await inbox.start();
    const body = eventBody({ type: "invoice.paid" });
    const { id } = JSON.parse(body) as { id: string };
    expect((await post(body, signedHeaders(body)))?.status).toBe(200);
    await expect.poll(() => out.json().filter((line) => line.msg === "handler failed; dead-lettered").length).toBe(1);
    const line = out.json().find((entry) => entry.msg === "handler failed; dead-lettered");
    expect(line).toMatchObject({
      level: 40,
      name: "stripe-inbox",
      eventId: id,
      type: "invoice.paid",
      handler: "book-revenue",
      attempt: 1,
      err: { message: "ledger down", type: "Error" },
    });
    expect(Date.parse(String(line?.time))).not.toBeNaN();
  });

  it("logs a rejected delivery with its delivery id and reason, and never the signature or a secret", async () => {
    const out = captureLines();
    db = await openWorkerTestDb("pglite");
    inbox = createInbox({
      secret: SECRET,
      ...db.config,
      logger: createLogger({ level: "debug", destination: out.destination }),
      workers: false,
    });
    await inbox.start();
    const forged = eventBody();
    const wrongSecret = "whsec_an_attackers_guess_0123456789abcdef";
    const forgedHeaders = signedHeaders(forged, wrongSecret);
    expect((await post(forged, forgedHeaders))?.status).toBe(400);
    const stored = eventBody({ type: "customer.updated" });
    const storedHeaders = signedHeaders(stored);
    expect((await post(stored, storedHeaders))?.status).toBe(200);
    await sleep(50);

    const rejected = out.json().find((line) => line.code === "signature_mismatch");
    expect(rejected).toMatchObject({ level: 40, deliveryId: expect.stringMatching(/^dlv_[0-9a-f]{8}_\w+$/) });
    const accepted = out.json().find((line) => line.msg === "delivery stored");
    expect(accepted).toMatchObject({
      eventId: (JSON.parse(stored) as { id: string }).id,
      type: "customer.updated",
      duplicate: false,
      deliveryId: expect.stringMatching(/^dlv_/),
    });
    expect(accepted?.deliveryId).not.toBe(rejected?.deliveryId);

    const everything = out.lines.join("");
    for (const header of [forgedHeaders["stripe-signature"], storedHeaders["stripe-signature"]]) {
      expect(header).toBeDefined();
      expect(everything).not.toContain(header);
      for (const part of String(header).split(",")) expect(everything).not.toContain(part.split("=")[1]);
    }
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain(wrongSecret);
  });

  it("replaces a secret or token passed in a logged object with [redacted]", () => {
    const out = captureLines();
    createLogger({ level: "info", destination: out.destination }).info(
      { endpoint: { secret: SECRET }, headers: { "stripe-signature": "t=1,v1=abc" }, token: "admin-token" },
      "careless",
    );
    expect(out.json()[0]).toMatchObject({
      endpoint: { secret: "[redacted]" },
      headers: { "stripe-signature": "[redacted]" },
      token: "[redacted]",
    });
  });

  it("writes readable lines instead of JSON when asked to be pretty (on a terminal)", () => {
    const out = captureLines();
    createLogger({ level: "info", destination: out.destination, pretty: true }).warn(
      { handler: "sync-crm" },
      "handler paused",
    );
    const text = out.lines.join("");
    expect(text).toContain("WARN");
    expect(text).toContain("handler paused");
    expect(text).toContain('handler: "sync-crm"');
    expect(() => JSON.parse(text)).toThrow();
  });

  it("takes its level from STRIPE_INBOX_LOG_LEVEL and refuses an unknown one in one line", () => {
    const before = process.env.STRIPE_INBOX_LOG_LEVEL;
    try {
      process.env.STRIPE_INBOX_LOG_LEVEL = "warn";
      const out = captureLines();
      const log = createLogger({ destination: out.destination });
      log.info("not shown");
      log.warn("shown");
      expect(out.json().map((line) => line.msg)).toEqual(["shown"]);
      process.env.STRIPE_INBOX_LOG_LEVEL = "verbose";
      expect(() => createLogger({ destination: out.destination })).toThrow(ConfigError);
      expect(() => createLogger({ destination: out.destination })).toThrow(/STRIPE_INBOX_LOG_LEVEL must be one of/);
      process.env.STRIPE_INBOX_LOG_LEVEL = "toString";
      expect(() => createLogger({ destination: out.destination })).toThrow(ConfigError);
    } finally {
      if (before === undefined) delete process.env.STRIPE_INBOX_LOG_LEVEL;
      else process.env.STRIPE_INBOX_LOG_LEVEL = before;
    }
  });

  it("serve writes readable lines on a terminal and JSON lines through a pipe", async () => {
    // Migrated beforehand: a first start's initdb and migrations would take most of the wait on a busy machine.
    const dataDir = await migratedPgliteDir();
    /** Runs `serve` until it says it listens; `terminal` runs it under script(1), which gives it a pseudo-terminal. */
    const firstLines = async (terminal: boolean) => {
      const command = [process.execPath, CLI, "serve", "--port", "0", "--data-dir", dataDir];
      const child = terminal
        ? spawn("script", ["-qfec", command.map((part) => `'${part}'`).join(" "), "/dev/null"], {
            env: cleanEnv({ STRIPE_INBOX_LOG_LEVEL: "info" }),
          })
        : spawn(command[0] ?? "", command.slice(1), { env: cleanEnv({ STRIPE_INBOX_LOG_LEVEL: "info" }) });
      let output = "";
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        output += chunk;
      });
      try {
        // The banner and the log line are separate writes: wait for both.
        await expect
          .poll(() => output.includes("receiving Stripe webhooks") && /listening/.test(output), { timeout: 20_000 })
          .toBe(true);
      } finally {
        child.kill("SIGTERM");
        await new Promise((resolve) => child.on("close", resolve));
      }
      return output.split(/\r?\n/).find((line) => line.includes("listening")) ?? "";
    };
    try {
      const piped = await firstLines(false);
      expect(JSON.parse(piped)).toMatchObject({ level: 30, msg: "listening", engine: "pglite" });
      const onTerminal = await firstLines(true);
      expect(onTerminal).toMatch(/INFO.*listening/);
      expect(() => JSON.parse(onTerminal)).toThrow();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
