import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ConfigError } from "../../errors.js";
import { editFixture, type FixtureEdits } from "./edits.js";
import { type FixtureFile, loadFixtureFile } from "./fixture.js";
import { type FixtureResponse, runFixture } from "./run.js";

/** One Stripe CLI fixture file per event, as the Stripe CLI keeps them: a starting point for your own --fixture. */
const FIXTURES_DIR = new URL("./fixtures/", import.meta.url);

/** The events `trigger` can cause without a fixture file, sorted. */
export function triggerEvents(): string[] {
  return readdirSync(FIXTURES_DIR)
    .filter((name) => name.endsWith(".json"))
    .map((name) => name.slice(0, -".json".length))
    .sort();
}

export function builtInFixture(event: string): FixtureFile {
  const events = triggerEvents();
  if (!events.includes(event)) {
    throw new ConfigError(`No built-in fixture for "${event}": pass --fixture FILE, or one of: ${events.join(", ")}.`);
  }
  return loadFixtureFile(fileURLToPath(new URL(`${event}.json`, FIXTURES_DIR)));
}

export interface TriggerOptions extends FixtureEdits {
  apiBase: string;
  apiKey: string;
  /** A Stripe CLI fixture file to run instead of the built-in one. */
  fixturePath?: string;
  onRequest?: (name: string) => void;
  env?: Record<string, string | undefined>;
}

/** Makes the API calls that cause `event`, as `stripe trigger` does; the API then emits and delivers the events. */
export async function trigger(event: string | undefined, options: TriggerOptions): Promise<FixtureResponse[]> {
  if (event === undefined && options.fixturePath === undefined)
    throw new ConfigError("Name an event, or pass --fixture FILE.");
  const base =
    options.fixturePath === undefined ? builtInFixture(event as string) : loadFixtureFile(options.fixturePath);
  const fixture = editFixture(base, options);
  return runFixture(fixture, {
    apiBase: options.apiBase,
    apiKey: options.apiKey,
    ...(options.env && { env: options.env }),
    onRequest: (request) => options.onRequest?.(request.name),
  });
}
