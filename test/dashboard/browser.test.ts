import { mkdirSync, rmSync } from "node:fs";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../support/browser.js";
import { eventBody, signedHeaders } from "../support/events.js";
import { tempDir } from "../support/stores.js";
import { deliver, openWorkerTestDb, type WorkerTestDb } from "../support/workers.js";
import { type DashboardServer, startDashboardServer } from "./support.js";

const TOKEN = "browser-test-admin-token-0123456789";
const ARTIFACTS = new URL("../../test-artifacts/dashboard/", import.meta.url).pathname;

describe("the dashboard in Chromium", () => {
  let db: WorkerTestDb;
  let running: DashboardServer;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  let ledgerDown = true;
  const problems: string[] = [];
  const ids: Record<"customer" | "invoice" | "otherInvoice", string> = { customer: "", invoice: "", otherInvoice: "" };

  // Launching (and, on the first run, unpacking the packaged Chromium) comes first: a missing browser fails at once.
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    profile = tempDir("stripe-inbox-chromium-");
    context = await launchChromium(profile, { viewport: { width: 1280, height: 900 } });
    db = await openWorkerTestDb("pglite");
    running = await startDashboardServer(
      { ...db.config, workers: { pollMs: 20 }, mirror: true },
      { token: TOKEN, sampleEveryMs: 250, pollMs: 300, mirrorSchema: "stripe" },
      (inbox) => {
        inbox.on("customer.created", async () => {}, { name: "welcome-email" });
        inbox.on(
          "invoice.paid",
          async () => {
            if (ledgerDown) throw new Error("ledger down");
          },
          { name: "book-revenue", retry: { maxAttempts: 1 } },
        );
      },
    );
    for (const [key, type] of [
      ["customer", "customer.created"],
      ["invoice", "invoice.paid"],
      ["otherInvoice", "invoice.paid"],
    ] as const) {
      const body = eventBody({ type });
      ids[key] = (JSON.parse(body) as { id: string }).id;
      await deliver(running.inbox, body);
    }
    // A rejection, for the health page's chart of rejections by reason.
    const forged = eventBody();
    await fetch(`${running.base}/webhooks/stripe`, {
      method: "POST",
      headers: signedHeaders(forged, "whsec_not_the_endpoint_secret_0000"),
      body: forged,
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    page.on("console", (message) => {
      // The first API calls answer 401 until the token is entered: Chromium logs those loads.
      if (message.type() === "error" && !message.text().includes("401")) problems.push(message.text());
    });
  }, 120_000);
  afterAll(async () => {
    await context?.close();
    await running?.close();
    await db?.cleanup();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  const rowsShown = () => page.locator("table.events tbody tr[data-event-id]");
  const statusIn = (scope: string) => page.locator(`${scope} [data-status]`).first();

  it("asks for the admin token, then lists the events", async () => {
    await page.goto(`${running.base}/`);
    await page.locator("#token-form").waitFor({ state: "visible" });
    await page.fill("#token-form input", TOKEN);
    await page.click("#token-form button");
    await expect.poll(() => rowsShown().count()).toBe(3);
    await expect.poll(() => page.textContent("#access")).toContain("admin token");
  });

  it("filters the list by a type wildcard and shows new events without a reload", async () => {
    await page.fill("input[name=type]", "invoice.*");
    await expect.poll(() => rowsShown().count()).toBe(2);
    await page.screenshot({ path: `${ARTIFACTS}list-filtered.png`, fullPage: true });
    const body = eventBody({ type: "invoice.created" });
    await deliver(running.inbox, body);
    await expect.poll(() => rowsShown().count()).toBe(3);
    await page.fill("input[name=type]", "");
    await page.fill("input[type=search]", ids.customer);
    await expect.poll(() => rowsShown().count()).toBe(1);
    await page.fill("input[type=search]", "");
  });

  it("lists the dead letters", async () => {
    await page.click("nav a[href='#/dead']");
    await expect.poll(() => rowsShown().count()).toBe(2);
    await expect.poll(() => page.locator("table.events [data-status=dead]").count()).toBe(2);
    await page.screenshot({ path: `${ARTIFACTS}dead-letters.png`, fullPage: true });
  });

  it("opens a failed event and watches its status change after a replay", async () => {
    await page.click(`a[href='#/event/${ids.invoice}']`);
    await expect.poll(() => statusIn("[data-testid=event-facts]").getAttribute("data-status")).toBe("dead");
    await expect.poll(() => page.textContent("tr[data-handler=book-revenue]")).toContain("ledger down");
    await page.click("tr[data-handler=book-revenue] details summary");
    expect(await page.textContent("tr[data-handler=book-revenue] pre")).toContain("Error: ledger down");
    expect(await page.textContent("[data-testid=payload]")).toContain(ids.invoice);
    await page.screenshot({ path: `${ARTIFACTS}event-dead.png`, fullPage: true });
    ledgerDown = false;
    await page.click("[data-testid=replay-handler]");
    // A dry run names the handler that will run again; nothing runs until confirmed.
    await expect.poll(() => page.textContent("[data-testid=replay-plan]")).toContain("book-revenue");
    expect(await statusIn("[data-testid=event-facts]").getAttribute("data-status")).toBe("dead");
    await page.click("[data-testid=replay-confirm]");
    await expect.poll(() => statusIn("[data-testid=event-facts]").getAttribute("data-status")).toBe("succeeded");
    await page.screenshot({ path: `${ARTIFACTS}event-replayed.png`, fullPage: true });
  });

  it("replays every dead run after showing how many and asking to confirm", async () => {
    await page.click("nav a[href='#/dead']");
    await expect.poll(() => rowsShown().count()).toBe(1);
    await page.click("[data-testid=replay-filter]");
    await expect.poll(() => page.textContent("[data-testid=replay-confirm]")).toBe("Replay 1 run(s)");
    await page.click("[data-testid=replay-confirm]");
    await expect.poll(() => rowsShown().count()).toBe(0);
    await page.click("nav a[href='#/']");
    await page.fill("input[type=search]", ids.otherInvoice);
    await expect
      .poll(() => page.locator("table.events [data-status]").first().getAttribute("data-status"))
      .toBe("succeeded");
  });

  it("opens an object from its event, with its mirror row and the events about it", async () => {
    await page.click("nav a[href='#/']");
    await page.fill("input[type=search]", ids.customer);
    await page.click(`a[href='#/event/${ids.customer}']`);
    await page.click("[data-testid=event-facts] a[href^='#/object/']");
    await expect.poll(() => page.locator("[data-testid=mirror-rows]").count()).toBe(1);
    expect(await page.textContent("[data-testid=mirror-rows]")).toContain("jenny.rosen@example.com");
    expect(await page.locator(`tr[data-event-id='${ids.customer}']`).count()).toBe(1);
    await page.screenshot({ path: `${ARTIFACTS}object.png`, fullPage: true });
  });

  it("pauses a handler from the Handlers page, lets its events wait, and resumes it", async () => {
    await page.click("nav a[href='#/handlers']");
    const row = page.locator("tr[data-handler=welcome-email]");
    await expect.poll(() => row.locator("[data-status]").getAttribute("data-status")).toBe("active");
    await row.locator("[data-testid=pause]").click();
    await expect.poll(() => row.locator("[data-status]").getAttribute("data-status")).toBe("paused");
    await deliver(running.inbox, eventBody({ type: "customer.created" }));
    await expect.poll(() => row.locator("[data-testid=waiting]").textContent()).toBe("1");
    await page.screenshot({ path: `${ARTIFACTS}handlers-paused.png`, fullPage: true });
    await row.locator("[data-testid=resume]").click();
    await expect.poll(() => row.locator("[data-status]").getAttribute("data-status")).toBe("active");
    await expect.poll(() => row.locator("[data-testid=waiting]").textContent()).toBe("0");
  });

  it("draws the health charts", async () => {
    await page.click("nav a[href='#/health']");
    for (const chart of ["deliveries", "rejections", "pending", "oldest", "failures", "latency"]) {
      await expect.poll(() => page.locator(`figure[data-chart=${chart}] svg`).count()).toBe(1);
    }
    const pointsOf = (chart: string) =>
      page.locator(`figure[data-chart=${chart}] polyline`).first().getAttribute("points");
    await expect.poll(async () => (await pointsOf("deliveries"))?.split(" ").length ?? 0).toBeGreaterThan(2);
    await expect.poll(async () => (await pointsOf("pending"))?.split(" ").length ?? 0).toBeGreaterThan(2);
    expect(await page.locator("[data-testid=queue]").textContent()).toContain("dead runs0");
    await page.screenshot({ path: `${ARTIFACTS}health.png`, fullPage: true });
    expect(problems).toEqual([]);
  });
});
