import { spawn } from "node:child_process";
import type { Logger } from "pino";
import { type AlertKind, type AlertThresholds, DEFAULT_THRESHOLDS, evaluate } from "./alert-rules.js";
import type { HealthSample } from "./health-history.js";

export const ALERT_DESTINATION_ENV = "STRIPE_INBOX_ALERT_URL";

export interface AlertOptions {
  /** A Slack-compatible incoming-webhook URL (`{"text": ...}` is posted), or a shell command (text on stdin). */
  destination: string;
  thresholds?: Partial<AlertThresholds>;
  /** While a condition goes on firing, it is repeated at most this often (5 min). */
  repeatAfterMs?: number;
  /** At most this many messages an hour in all (20): a storm sends a few messages, not thousands. */
  maxPerHour?: number;
  log: Logger;
  now?: () => number;
}

export interface Alerts {
  observe(sample: HealthSample): void;
  /** Sends a one-off message (a handler paused by the circuit breaker), within the same hourly limit. */
  announce(text: string): void;
  /** Resolves once every message sent so far has been delivered or has failed. */
  flush(): Promise<void>;
}

const SEND_TIMEOUT_MS = 10_000;

/** Turns health samples into messages: when a condition starts, repeats (rate-limited) and recovers. */
export function createAlerts(options: AlertOptions): Alerts {
  const thresholds = { ...DEFAULT_THRESHOLDS, ...options.thresholds };
  const repeatAfterMs = options.repeatAfterMs ?? 5 * 60_000;
  const maxPerHour = options.maxPerHour ?? 20;
  const now = options.now ?? Date.now;
  const lastSent = new Map<AlertKind, number>();
  const sentAt: number[] = [];
  const inFlight = new Set<Promise<void>>();
  let previousDead: number | null = null;

  const send = (text: string) => {
    const at = now();
    while (sentAt.length > 0 && (sentAt[0] ?? 0) < at - 3_600_000) sentAt.shift();
    if (sentAt.length >= maxPerHour) {
      options.log.warn({ alert: text }, "alert not sent: the hourly limit is reached");
      return;
    }
    sentAt.push(at);
    const delivery = deliver(options.destination, `stripe-inbox: ${text}`).then(
      () => options.log.info({ alert: text }, "alert sent"),
      // The destination is a secret of its own (a Slack webhook URL): never logged.
      (error: unknown) => options.log.error({ alert: text, reason: String(error) }, "alert could not be sent"),
    );
    inFlight.add(delivery);
    void delivery.finally(() => inFlight.delete(delivery));
  };

  return {
    observe(sample) {
      for (const condition of evaluate(sample, previousDead, thresholds)) {
        const last = lastSent.get(condition.kind);
        if (condition.active && condition.news && (last === undefined || now() - last >= repeatAfterMs)) {
          lastSent.set(condition.kind, now());
          send(condition.message);
        } else if (!condition.active && last !== undefined) {
          lastSent.delete(condition.kind);
          send(condition.recovered);
        }
      }
      if (sample.dead !== null) previousDead = sample.dead;
    },
    announce: send,
    flush: async () => {
      await Promise.all([...inFlight]);
    },
  };
}

function deliver(destination: string, text: string): Promise<void> {
  if (/^https?:\/\//i.test(destination)) {
    return fetch(destination, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text }),
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
    }).then((response) => {
      if (!response.ok) throw new Error(`the alert destination answered ${response.status}`);
    });
  }
  return new Promise((resolve, reject) => {
    const child = spawn("sh", ["-c", destination], {
      stdio: ["pipe", "ignore", "ignore"],
      env: { ...process.env, STRIPE_INBOX_ALERT_TEXT: text },
      timeout: SEND_TIMEOUT_MS,
    });
    child.on("error", reject);
    child.on("exit", (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`the alert command exited with ${code ?? signal}`)),
    );
    child.stdin.on("error", () => {}); // a command that does not read its input is fine
    child.stdin.end(`${text}\n`);
  });
}
