import { ConfigError } from "../errors.js";
import { isPostgresTimestamp, parseIsoTimestamp } from "../store/pg-values.js";

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30s`, `15m`, `2h`, `3d` in milliseconds, or null when the value is not such a duration. */
export function durationMs(value: string): number | null {
  const match = /^(\d+)([smhd])$/.exec(value);
  return match ? Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS] : null;
}

export const DEFAULT_RETENTION = "90d";

/**
 * How long handled events are kept: a duration (`90d`, `12h`) or a number of milliseconds, or `off` (null: keep
 * everything). `source` names the setting in the error, e.g. `--retention` or `STRIPE_INBOX_RETENTION`.
 */
export function parseRetention(value: string | number, source: string): number | null {
  if (value === "off") return null;
  const ms = typeof value === "number" ? value : durationMs(value.trim());
  if (ms === null || !Number.isSafeInteger(ms) || ms < 60_000) {
    throw new ConfigError(
      `${source} must be a duration of at least a minute, such as 30d or 12h, or off; not "${value}".`,
    );
  }
  return ms;
}

/** The shortest time between two prunes of one process: a prune scans for work, which is wasted more often. */
const MIN_PRUNE_EVERY_MS = 10_000;

/** How often a process prunes: a duration of at least ten seconds (`30s`, `15m`, `1h`); `source` names the setting. */
export function parsePruneEvery(value: string, source: string): number {
  const ms = durationMs(value.trim());
  if (ms === null || !Number.isSafeInteger(ms) || ms < MIN_PRUNE_EVERY_MS) {
    throw new ConfigError(`${source} must be a duration of at least 10s, such as 30s, 15m or 1h; not "${value}".`);
  }
  return ms;
}

/** `90d` for 90 days: how a retention is printed, in the largest unit that divides it. */
export function formatRetention(ms: number | null): string {
  if (ms === null) return "off";
  for (const unit of ["d", "h", "m", "s"] as const) {
    if (ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  }
  return `${ms}ms`;
}

/**
 * Prune's cut: `now`, a duration back from now (`30d`), or an ISO time. Never in the future: an event received
 * after now cannot be old enough, and a clock mistake must not widen what is removed.
 */
export function parseCut(value: string, now: Date, source = "--before"): Date {
  const ago = value === "now" ? 0 : durationMs(value);
  const cut = ago !== null ? new Date(now.getTime() - ago) : parseIsoTimestamp(value);
  if (!cut || !isPostgresTimestamp(cut)) {
    throw new ConfigError(
      `${source} must be an ISO time (2026-01-31T12:00:00Z), a duration back from now such as 30d or 12h, or now; not "${value}".`,
    );
  }
  if (cut.getTime() > now.getTime()) {
    throw new ConfigError(`${source} ${value} is in the future: the latest cut is now.`);
  }
  return cut;
}
