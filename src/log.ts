import { createRequire } from "node:module";
import { type DestinationStream, type Logger, pino } from "pino";
import type { PrettyOptions, PrettyStream } from "pino-pretty";
import { ConfigError } from "./errors.js";

export type { Logger };

export const LOG_LEVEL_ENV = "STRIPE_INBOX_LOG_LEVEL";

export interface LoggerSettings {
  /** trace, debug, info, warn, error, fatal or silent; default STRIPE_INBOX_LOG_LEVEL, else info. */
  level?: string | undefined;
  /** Where the lines go: stdout by default. */
  destination?: DestinationStream | undefined;
  /** Human-readable lines instead of JSON; by default only when stdout is a terminal (JSON in CI and containers). */
  pretty?: boolean | undefined;
}

/**
 * Fields that must never reach a log, should a caller pass a whole object that holds one: replaced by [redacted].
 * Our own lines never carry them; this is the second line of defence.
 */
const REDACTED = [
  "secret",
  "secrets",
  "token",
  "authorization",
  "*.secret",
  "*.secrets",
  "*.token",
  "*.authorization",
  'headers["stripe-signature"]',
  '*.headers["stripe-signature"]',
];

/** The CLI's logger: one JSON object a line (pino), with `eventId`, `type`, `deliveryId` and `handler` fields. */
export function createLogger(settings: LoggerSettings = {}): Logger {
  const level = settings.level ?? (process.env[LOG_LEVEL_ENV] || "info");
  // Own keys only: `in` would also take "toString" and "constructor" for levels.
  if (!Object.hasOwn(pino.levels.values, level) && level !== "silent") {
    throw new ConfigError(
      `${LOG_LEVEL_ENV} must be one of ${Object.keys(pino.levels.values).join(", ")} or silent, not "${level}".`,
    );
  }
  const options = {
    name: "stripe-inbox",
    level,
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED, censor: "[redacted]" },
  };
  const pretty = settings.pretty ?? (settings.destination === undefined && process.stdout.isTTY === true);
  if (!pretty) return settings.destination ? pino(options, settings.destination) : pino(options);
  return pino(
    options,
    prettyStream({
      colorize: settings.destination === undefined,
      translateTime: "SYS:HH:MM:ss.l",
      ignore: "pid,hostname,name",
      sync: true,
      ...(settings.destination && { destination: settings.destination }),
    }),
  );
}

/** pino-pretty is loaded only for a terminal: a server logging JSON never pays for it. */
function prettyStream(options: PrettyOptions): PrettyStream {
  const load = createRequire(import.meta.url)("pino-pretty") as { default?: unknown };
  const build = (typeof load === "function" ? load : load.default) as (options: PrettyOptions) => PrettyStream;
  return build(options);
}

export const silentLogger: Logger = pino({ level: "silent" });
