import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { tempDir } from "./stores.js";

/**
 * The `stripe` binary of the installed `@stripe/cli`: its platform package, found as the package's own launcher
 * finds it, and run without that launcher's extra Node process per call.
 */
function stripeBinary(): string {
  const require = createRequire(import.meta.url);
  const platforms = require("@stripe/cli/platforms.json") as Record<string, { pkg: string; bin: string }>;
  const platform = platforms[`${process.platform}-${process.arch}`];
  if (!platform) throw new Error(`@stripe/cli ships no binary for ${process.platform}-${process.arch}`);
  return join(dirname(require.resolve(`${platform.pkg}/package.json`)), "bin", platform.bin);
}

const STRIPE = stripeBinary();

/** An API key in the shape Stripe's test keys have; the CLI refuses one under 12 characters. */
export const CLI_API_KEY = "sk_test_stripe_cli_catalogue";

/**
 * A clean, offline environment: a home of its own (no saved login or project), telemetry off, and none of the
 * caller's Stripe variables (`STRIPE_API_KEY` would override `--api-key`). The CLI still looks up its latest release
 * before each trigger; offline that lookup fails at once and the CLI goes on.
 */
function cliEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith("STRIPE_")) env[name] = value;
  return { ...env, HOME: home, XDG_CONFIG_HOME: join(home, ".config"), STRIPE_CLI_TELEMETRY_OPTOUT: "1" };
}

export interface CliResult {
  code: number | null;
  output: string;
  timedOut: boolean;
}

const home = tempDir("stripe-cli-home-");

/** Runs `stripe ...args` to its end, or kills it after `timeoutMs`. */
export function runStripeCli(args: readonly string[], timeoutMs = 20_000): Promise<CliResult> {
  const child = spawn(STRIPE, args, { env: cliEnv(home), stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const collect = (chunk: string) => {
    output += chunk;
  };
  child.stdout.setEncoding("utf8").on("data", collect);
  child.stderr.setEncoding("utf8").on("data", collect);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, timeoutMs);
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output, timedOut });
    });
  });
}

/** The events `stripe trigger --help` lists under "Supported events:", in its order. */
export async function stripeTriggerCatalogue(): Promise<string[]> {
  const { code, output } = await runStripeCli(["trigger", "--help"]);
  if (code !== 0) throw new Error(`stripe trigger --help failed (${code}): ${output}`);
  const lines = output.split("\n");
  const start = lines.findIndex((line) => line.trim() === "Supported events:");
  if (start < 0) throw new Error(`no "Supported events:" in stripe trigger --help:\n${output}`);
  const events: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === "") break;
    events.push(line.trim());
  }
  return events;
}

/**
 * The Stripe event a trigger is named for. The CLI names a few triggers after something else: regional variants of
 * the Issuing ones (`issuing_card.created.eu`), and `subscription.payment_*`, which cause the invoice's event.
 */
export function eventTypeOfTrigger(trigger: string): string {
  const regional = /^(.+)\.(eu|gb)$/.exec(trigger);
  if (regional) return regional[1] as string;
  if (trigger === "subscription.payment_failed") return "invoice.payment_failed";
  if (trigger === "subscription.payment_succeeded") return "invoice.payment_succeeded";
  return trigger;
}
