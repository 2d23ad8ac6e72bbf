import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { startEmulator } from "../../src/devkit/emulator/index.js";
import { createStripeClient } from "../../src/stripe-api.js";
import { SECRET } from "../support/events.js";
import { bannerUrl, CLI, cleanEnv, freePort, runCli } from "../support/processes.js";
import { inboxWithSecret } from "./emulator-setup.js";

describe("stripe-inbox emulator", () => {
  it("serves the Stripe API on the port its banner names until SIGTERM, then exits 0", async () => {
    const child = spawn(process.execPath, [CLI, "emulator", "--port", "0"], {
      env: cleanEnv({}),
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    const url = await bannerUrl(child);
    expect(url.hostname).toBe("127.0.0.1");
    expect(Number(url.port)).toBeGreaterThan(0);

    const stripe = createStripeClient({ apiKey: "sk_test_cli", apiBase: url.origin }, "test");
    const customer = await stripe.customers.create({ email: "cli@example.com" });
    expect((await stripe.customers.retrieve(customer.id)).id).toBe(customer.id);

    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });

  it("says in one line that a bad --port is wrong", async () => {
    const { code, stderr } = await runCli(["emulator", "--port", "http"], {});
    expect(code).toBe(2);
    expect(stderr.trim()).toBe('stripe-inbox: --port must be 0-65535, not "http".');
  });
});

describe("stripe-inbox trigger", () => {
  it("runs the built-in fixture against STRIPE_API_BASE and prints each request", async () => {
    const emulator = await startEmulator({ port: 0 });
    try {
      const { code, stdout, stderr } = await runCli(["trigger", "payment_intent.succeeded"], {
        STRIPE_API_BASE: emulator.url,
      });
      expect(stderr).toBe("");
      expect(code).toBe(0);
      expect(stdout).toContain("Setting up fixture for: payment_intent");
      expect(emulator.events().map((event) => event.type)).toEqual([
        "payment_intent.created",
        "charge.succeeded",
        "payment_intent.succeeded",
        "charge.updated",
      ]);
    } finally {
      await emulator.close();
    }
  });

  it("lists the events it has fixtures for", async () => {
    const { code, stdout } = await runCli(["trigger", "--list"], {});
    expect(code).toBe(0);
    expect(stdout.trim().split("\n")).toContain("checkout.session.completed");
  });

  it("with --direct, signs the events with STRIPE_WEBHOOK_SECRET and posts them to --url", async () => {
    const inbox = await inboxWithSecret(SECRET);
    try {
      const { code, stdout } = await runCli(["trigger", "payment_intent.succeeded", "--direct", "--url", inbox.url], {
        STRIPE_WEBHOOK_SECRET: SECRET,
      });
      expect(code).toBe(0);
      expect(stdout).toMatch(/--> charge\.updated \[evt_\w+\] 200/);
      expect((await inbox.deliveries()).map((row) => row.type)).toEqual([
        "payment_intent.created",
        "charge.succeeded",
        "payment_intent.succeeded",
        "charge.updated",
      ]);
    } finally {
      await inbox.close();
    }
  });

  it("says in one line when the emulator is not running", async () => {
    const port = await freePort();
    const { code, stderr } = await runCli(
      ["trigger", "customer.created", "--api-base", `http://127.0.0.1:${port}`],
      {},
    );
    expect(code).toBe(2);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toMatch(/Could not reach http:\/\/127.0.0.1:\d+: .*Is `stripe-inbox emulator` running\?/);
  });
});
