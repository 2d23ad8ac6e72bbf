import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventBody, SECRET, signedHeaders } from "../support/events.js";
import { cleanEnv, runCli, startServe } from "../support/processes.js";
import { dropSchema, POSTGRES_URL, uniqueSchema } from "../support/stores.js";

const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  version: string;
};
const REPO = new URL("../..", import.meta.url).pathname;

describe("stripe-inbox, as a person reaches and reads it", () => {
  it("prints the package's version with --version and -v", async () => {
    for (const flag of ["--version", "-v"]) {
      const result = await runCli([flag], {});
      expect(result).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
    }
  });

  it("names every command in --help, and the nearest one for a mistyped command", async () => {
    const help = await runCli(["--help"], {});
    expect(help.code).toBe(0);
    const listed = help.stdout
      .split("\nCommands:\n")[1]
      ?.split("\n")
      // A description that wraps goes on in lines indented further.
      .filter((line) => /^ {2}\S/.test(line))
      .map((line) => line.trim().split(" ")[0]);
    expect(listed).toEqual([
      "serve",
      "worker",
      "migrate",
      "events",
      "replay",
      "prune",
      "handlers",
      "send-test-event",
      "emulator",
      "trigger",
      "register",
      "reconcile",
      "backfill",
      "doctor",
      "help",
    ]);
    const typo = await runCli(["evnts", "list"], {});
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain("(Did you mean events?)");
    // A command's own help loads that command alone, and still has its subcommands and options.
    const events = await runCli(["events", "list", "--help"], {});
    expect(events.stdout).toContain("--status <status>");
  });

  it("is reachable as `npx stripe-inbox` in the package's own directory, without the registry", async () => {
    const { stdout } = await promisify(execFile)("npx", ["--offline", "stripe-inbox", "--version"], {
      cwd: REPO,
      env: cleanEnv({}),
    });
    expect(stdout).toBe(`${version}\n`);
  });
});

describe("--json on commands that print data", () => {
  const schema = uniqueSchema();
  const env = { DATABASE_URL: POSTGRES_URL, STRIPE_INBOX_SCHEMA: schema };
  afterAll(() => dropSchema(schema));

  const json = async (args: string[]) => {
    const result = await runCli([...args, "--json"], env);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout) as unknown;
  };

  it("prints what migrate applied, the known event types, and a handler's pause and resume", async () => {
    expect(await json(["migrate"])).toEqual({ applied: expect.arrayContaining(["0001-inbox.sql"]) });
    expect(await json(["migrate"])).toEqual({ applied: [] });
    const types = await json(["send-test-event", "--list"]);
    // The triggers named after something else than their event (`issuing_card.created.eu`) send no test event.
    const triggers = (await json(["trigger", "--list"])) as string[];
    expect(types).toEqual(triggers.filter((name) => !/\.(eu|gb)$|^subscription\.payment_/.test(name)));
    expect(types).toContain("invoice.paid");
    expect(await json(["handlers", "pause", "sync-crm", "--reason", "CRM down"])).toMatchObject({
      handler: "sync-crm",
      already_paused: false,
      pause: { handler: "sync-crm", paused_by: "operator", reason: "CRM down" },
    });
    expect(await json(["handlers", "list"])).toEqual([expect.objectContaining({ handler: "sync-crm", waiting: 0 })]);
    expect(await json(["handlers", "resume", "sync-crm"])).toMatchObject({ handler: "sync-crm", resumed: true });
  });
});

describe("events list and show on Postgres", () => {
  const schema = uniqueSchema();
  const env = { DATABASE_URL: POSTGRES_URL, STRIPE_INBOX_SCHEMA: schema, STRIPE_WEBHOOK_SECRET: SECRET };
  const ids: Record<string, string> = {};
  const now = Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    const serve = await startServe({ env });
    try {
      for (const [name, type, created] of [
        ["oldInvoice", "invoice.paid", now - 3 * 3600],
        ["customer", "customer.created", now - 90],
        ["newInvoice", "invoice.payment_failed", now - 5 * 60],
      ] as const) {
        const body = eventBody({ type, created });
        ids[name] = (JSON.parse(body) as { id: string }).id;
        const response = await fetch(serve.url, { method: "POST", headers: signedHeaders(body), body });
        expect(response.status).toBe(200);
      }
    } finally {
      await serve.kill();
    }
  });
  afterAll(() => dropSchema(schema));

  it("lists events as an aligned table with relative times and no index column", async () => {
    const result = await runCli(["events", "list"], env);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^id {2,}type {2,}status {2,}created {2,}received$/);
    expect(result.stdout).not.toContain("(index)");
    expect(lines).toHaveLength(4);
    const typeColumn = lines[0]?.indexOf("type");
    for (const line of lines.slice(1)) expect(line.search(/ (invoice|customer)\./) + 1).toBe(typeColumn);
    const oldInvoice = lines.find((line) => line.startsWith(ids.oldInvoice as string));
    expect(oldInvoice).toMatch(/ 3 h ago +(just now|\d+ s ago)$/);
    expect(lines.find((line) => line.startsWith(ids.newInvoice as string))).toMatch(/ \d+ min ago /);
  });

  it("filters by --type, --status and --since (an ISO time or a duration)", async () => {
    const list = async (...args: string[]) => {
      const result = await runCli(["events", "list", "--json", ...args], env);
      expect(result.code).toBe(0);
      return (JSON.parse(result.stdout) as Array<{ id: string }>).map((event) => event.id);
    };
    expect(await list("--type", "invoice.*")).toEqual([ids.newInvoice, ids.oldInvoice]);
    expect(await list("--type", "invoice.*", "--since", "2h")).toEqual([ids.newInvoice]);
    expect(await list("--since", new Date((now - 600) * 1000).toISOString())).toEqual([ids.newInvoice, ids.customer]);
    expect(await list("--until", "1h", "--status", "pending")).toEqual([ids.oldInvoice]);
    expect(await list("--since", "30d", "--limit", "1")).toHaveLength(1);
  });

  it("exits 1 with one line when a filter matches nothing, and with --json prints an empty array", async () => {
    const none = await runCli(["events", "list", "--status", "dead", "--since", "2h"], env);
    expect(none).toEqual({ code: 1, stdout: "", stderr: "stripe-inbox: No events match --status dead --since 2h.\n" });
    const json = await runCli(["events", "list", "--type", "charge.*", "--json"], env);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual([]);

    const badStatus = await runCli(["events", "list", "--status", "lost"], env);
    expect(badStatus.code).toBe(1);
    expect(badStatus.stderr).toMatch(/--status.*one of pending, succeeded, failed, dead, no_handler/);
    const badSince = await runCli(["events", "list", "--since", "yesterday"], env);
    expect(badSince.stderr).toMatch(/--since <when>' argument 'yesterday' is invalid\. an ISO time .* or 30m, 2h, 3d/);
  });

  it("shows one event for people, and exits 1 with one line for an id it does not hold", async () => {
    const shown = await runCli(["events", "show", ids.newInvoice as string], env);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(
      new RegExp(
        `^id {8}${ids.newInvoice}\ntype {6}invoice.payment_failed\nstatus {4}pending\ncreated {3}\\d+ min ago \\(`,
      ),
    );
    expect(shown.stdout).toMatch(/\ndeliveries\n {2}received +outcome +bytes\n {2}(just now|\d+ s ago) +stored +\d+\n/);
    expect(shown.stdout).toMatch(/\npayload\n {2}\{\n {4}"id": "evt_/);
    expect(shown.stdout).not.toContain("(index)");

    const missing = await runCli(["events", "show", "evt_missing"], env);
    expect(missing).toEqual({ code: 1, stdout: "", stderr: "stripe-inbox: No event evt_missing in the inbox.\n" });
  });
});
