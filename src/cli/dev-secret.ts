import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const FILE = "webhook-secret";

/** Reads the dev secret kept in the data directory, if `serve` has made one. */
export function readDevSecret(dataDir: string): string | null {
  try {
    return readFileSync(join(dataDir, FILE), "utf8").trim() || null;
  } catch {
    return null;
  }
}

/** With no STRIPE_WEBHOOK_SECRET, `serve` makes one and keeps it, so restarts and `send-test-event` agree. */
export function loadOrCreateDevSecret(dataDir: string): { secret: string; created: boolean } {
  const existing = readDevSecret(dataDir);
  if (existing) return { secret: existing, created: false };
  mkdirSync(dataDir, { recursive: true });
  const secret = `whsec_${randomBytes(24).toString("base64url")}`;
  writeFileSync(join(dataDir, FILE), `${secret}\n`, { mode: 0o600 });
  return { secret, created: true };
}
