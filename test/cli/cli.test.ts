import { type ChildProcess, execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testEventTypes } from "../../src/cli/test-events.js";
import { bannerAddress } from "../support/processes.js";
import { dropSchema, POSTGRES_URL, tempDir, uniqueSchema } from "../support/stores.js";

const CLI = "dist/cli/main.js";
const run = promisify(execFile);

async function cli(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run("node", [CLI, ...args], { env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** Serve on `--port 0` names the port the kernel picked in its banner. */
function bannerPort(banner: string): string {
  const address = bannerAddress(banner);
  if (!address) throw new Error(`no address in the banner:\n${banner}`);
  return address.port;
}

async function waitForOutput(child: ChildProcess, pattern: RegExp): Promise<string> {
  let seen = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; saw:\n${seen}`)), 30_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
      if (pattern.test(seen)) {
        clearTimeout(timer);
        resolve(seen);
      }
    });
  });
}

describe("the stripe-inbox CLI on Postgres", () => {
  const schema = uniqueSchema();
  const env = { DATABASE_URL: POSTGRES_URL, STRIPE_INBOX_SCHEMA: schema, STRIPE_WEBHOOK_SECRET: "whsec_cli_test" };
  afterAll(() => dropSchema(schema));

  it("migrates once, then says the migrations are current", async () => {
    expect((await cli(["migrate"], env)).stdout).toMatch(/applied: 0001-inbox\.sql/);
    expect((await cli(["migrate"], env)).stdout).toMatch(/migrations are current/);
  });

  it("serves, takes a signed test event, lists and shows it as JSON, and exits 0 on SIGTERM", async () => {
    const server = spawn("node", [CLI, "serve", "--port", "0"], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const port = bannerPort(await waitForOutput(server, /receiving Stripe webhooks at \S+\s/));
      const sent = await cli(["send-test-event", "--port", port, "--type", "invoice.paid"], env);
      expect(sent.stdout).toMatch(/^200 \{"received":true,"id":"evt_/);
      const id = JSON.parse(sent.stdout.slice(4)).id as string;

      const list = JSON.parse((await cli(["events", "list", "--json"], env)).stdout) as Array<Record<string, unknown>>;
      expect(list).toHaveLength(1);
      expect(list[0]).toMatchObject({ id, type: "invoice.paid", status: "pending", account: null });
      expect(typeof list[0]?.created).toBe("string");

      const shown = JSON.parse((await cli(["events", "show", id, "--json"], env)).stdout);
      expect(shown).toMatchObject({ id, type: "invoice.paid", payload: { id, object: "event" } });
      // An invoice.paid event carries a paid invoice, as Stripe's does, not some other object.
      expect(shown.payload.data.object).toMatchObject({ object: "invoice", status: "paid" });
      expect(shown.object_id).toMatch(/^in_/);
      expect(shown.deliveries).toHaveLength(1);
      expect(shown.deliveries[0]).toMatchObject({ outcome: "stored", error_code: null });
    } finally {
      server.kill("SIGTERM");
    }
    const [code] = await once(server, "exit");
    expect(code).toBe(0);
  });

  it("says in one line, without a stack trace, what is wrong", async () => {
    const missing = await cli(["events", "show", "evt_missing"], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe("stripe-inbox: No event evt_missing in the inbox.");

    const badLimit = await cli(["events", "list", "--limit", "many"], env);
    expect(badLimit.code).not.toBe(0);
    expect(badLimit.stderr).toMatch(/--limit/);
    expect(badLimit.stderr).not.toMatch(/\n\s+at /);

    const badUrl = await cli(["migrate"], { ...env, DATABASE_URL: "mysql://nope" });
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr.trim().split("\n")).toHaveLength(1);

    const unknownType = await cli(["send-test-event", "--type", "invoice.payed"], env);
    expect(unknownType.code).toBe(2);
    expect(unknownType.stderr).toBe(
      `stripe-inbox: No test event of type "invoice.payed": \`stripe-inbox send-test-event --list\` lists the ${testEventTypes().length} known types.\n`,
    );

    const badPort = await cli(["serve"], { ...env, PORT: "99999" });
    expect(badPort.stderr.trim()).toBe('stripe-inbox: PORT must be 0-65535, not "99999".');
  });
});

describe("serve with no secret configured (the npm start path)", () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = tempDir();
  });

  it("generates a dev secret, keeps it in the data dir, prints it, and send-test-event uses it", async () => {
    const env = { STRIPE_INBOX_DATA_DIR: dataDir, STRIPE_WEBHOOK_SECRET: "", DATABASE_URL: "" };
    const server = spawn("node", [CLI, "serve", "--port", "0"], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const banner = await waitForOutput(server, /send-test-event/);
      const port = bannerPort(banner);
      expect(banner).toMatch(/dev webhook secret \(new in the data dir\): whsec_\S+/);
      expect(banner).toMatch(/PGlite/);
      const sent = await cli(["send-test-event", "--port", port], env);
      expect(sent.stdout).toMatch(/^200 \{"received":true/);
    } finally {
      server.kill("SIGTERM");
    }
    expect((await once(server, "exit"))[0]).toBe(0);
  });
});
