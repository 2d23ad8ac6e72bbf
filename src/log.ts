import { type Logger, pino } from "pino";

export type { Logger };

export function createLogger(level = process.env.STRIPE_INBOX_LOG_LEVEL ?? "info"): Logger {
  return pino({ name: "stripe-inbox", level });
}

export const silentLogger: Logger = pino({ level: "silent" });
