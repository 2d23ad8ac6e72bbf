import type { Command } from "commander";
import type { AdminClient } from "../dashboard/admin-client.js";
import { pauseToJson, stateToJson } from "../dashboard/handler-json.js";
import { ConfigError } from "../errors.js";
import { DEFAULT_PAUSE_AFTER_FAILURES } from "../worker/claimable-handlers.js";
import {
  type HandlerControl,
  type HandlerPause,
  type HandlerState,
  handlerControl,
  resumeHint,
} from "../worker/handler-pauses.js";
import { type StoreFlags, withStoreOptions } from "./options.js";
import { relativeTime } from "./relative-time.js";
import { formatTable } from "./table.js";
import { throughServerOrStore } from "./through-server.js";

export const PAUSE_AFTER_FAILURES_ENV = "STRIPE_INBOX_PAUSE_AFTER_FAILURES";

/** The circuit breaker's threshold for `serve` and `worker`: a positive integer, or 0/off to turn it off. */
export function pauseAfterFailuresFromEnv(env: NodeJS.ProcessEnv = process.env): number | false {
  const raw = env[PAUSE_AFTER_FAILURES_ENV]?.trim();
  if (raw === undefined || raw === "") return DEFAULT_PAUSE_AFTER_FAILURES;
  if (raw === "0" || raw.toLowerCase() === "off") return false;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new ConfigError(
      `${PAUSE_AFTER_FAILURES_ENV} must be a positive integer, or 0 (or off) to never pause; not "${raw}".`,
    );
  }
  return value;
}

/** The alert the circuit breaker sends: what happened and how to resume. */
export function breakerAlert(pause: HandlerPause): string {
  return `Handler "${pause.handler}" paused by the circuit breaker: ${pause.reason ?? "failures in a row"}. Its events wait; fix the cause, then ${resumeHint(pause.handler)}.`;
}

type Flags = StoreFlags & { json?: boolean };

export function registerHandlers(program: Command): void {
  const handlers = program.command("handlers").description("list handlers, pause one (its events wait) or resume it");

  withStoreOptions(handlers.command("list").description("handlers with runs waiting or paused, and why"))
    .option("--json", "print one JSON array")
    .action(async (flags: Flags) => {
      const lines = await through(flags, {
        server: (client) => client.listHandlers(),
        store: (control) => control.list(),
      });
      if (flags.json) return console.log(JSON.stringify(lines.map(stateToJson), null, 2));
      if (lines.length === 0) return console.log("no handlers have runs or pauses yet");
      console.log(formatTable(lines.map(tableLine), ["handler", "state", "waiting", "since", "reason"]));
    });

  withStoreOptions(handlers.command("pause <name>").description("stop running a handler; its events wait"))
    .option("--reason <text>", "shown in the dashboard and `handlers list`")
    .option("--json", "print the pause as JSON")
    .action(async (name: string, flags: Flags & { reason?: string }) => {
      const { pause, alreadyPaused } = await through(flags, {
        server: (client) => client.pauseHandler(name, flags.reason ?? null),
        store: (control) => control.pause(name, flags.reason ?? null),
      });
      if (flags.json)
        return console.log(
          JSON.stringify({ handler: name, pause: pauseToJson(pause), already_paused: alreadyPaused }, null, 2),
        );
      console.log(
        alreadyPaused
          ? `${name} was already paused (${pausedBy(pause)}); left as it was`
          : `paused ${name}: its events wait; ${resumeHint(name)}`,
      );
    });

  withStoreOptions(handlers.command("resume <name>").description("run a paused handler again, waiting runs first"))
    .option("--json", "print the lifted pause as JSON")
    .action(async (name: string, flags: Flags) => {
      const lifted = await through(flags, {
        server: (client) => client.resumeHandler(name),
        store: (control) => control.resume(name),
      });
      if (flags.json)
        return console.log(
          JSON.stringify({ handler: name, resumed: lifted !== null, pause: pauseToJson(lifted) }, null, 2),
        );
      console.log(lifted ? `resumed ${name} (it was ${pausedBy(lifted)})` : `${name} was not paused`);
    });
}

/** Through the running server's admin API when it holds the PGlite data dir, else on the store itself. */
function through<T>(
  flags: Flags,
  ways: { server: (client: AdminClient) => Promise<T>; store: (control: HandlerControl) => Promise<T> },
): Promise<T> {
  return throughServerOrStore(flags, {
    server: ways.server,
    store: (store) => ways.store(handlerControl({ store: async () => store, known: () => [] })),
  });
}

function tableLine(line: HandlerState) {
  return {
    handler: line.handler,
    state: line.paused ? `paused (${pausedBy(line.paused)})` : "active",
    waiting: line.waiting,
    since: relativeTime(line.paused?.pausedAt),
    reason: line.paused?.reason ?? "",
  };
}

function pausedBy(pause: HandlerPause): string {
  return pause.pausedBy === "circuit_breaker" ? "by the circuit breaker" : "by an operator";
}
