import type { DeliveryRow, EventSummary, RunRow } from "../inbox/event-queries.js";
import { relativeTime } from "./relative-time.js";
import { formatTable } from "./table.js";

/** `events list` for people: one aligned line per event, times relative to now. */
export function eventTable(events: readonly EventSummary[], now = new Date()): string {
  return formatTable(
    events.map((event) => ({
      id: event.id,
      type: event.type,
      status: event.status,
      created: relativeTime(event.created, now),
      received: relativeTime(event.received_at, now),
      account: event.account,
      livemode: event.livemode ? "live" : null,
    })),
    ["id", "type", "status", "created", "received", "account", "livemode"],
  );
}

type ShownEvent = EventSummary & { payload: unknown; deliveries: DeliveryRow[]; runs: RunRow[] };

/** `events show` for people: the summary, the delivery attempts, the handler runs, then the payload. */
export function eventDetail(event: ShownEvent, now = new Date()): string {
  const when = (iso: string) => `${relativeTime(iso, now)} (${iso})`;
  const summary: Array<[string, string]> = [
    ["id", event.id],
    ["type", event.type],
    ["status", event.status],
    ["created", when(event.created)],
    ["received", when(event.received_at)],
    ["object", event.object_id ?? ""],
    ["account", event.account ?? ""],
    ["mode", event.livemode ? "live" : "test"],
  ];
  const sections = [
    summary
      .filter(([, value]) => value !== "")
      .map(([name, value]) => `${name.padEnd(10)}${value}`)
      .join("\n"),
  ];
  sections.push(
    `deliveries\n${indent(
      event.deliveries.length === 0
        ? "none: stored by reconcile, not delivered"
        : formatTable(
            event.deliveries.map((delivery) => ({
              received: relativeTime(delivery.received_at, now),
              outcome: delivery.outcome,
              error: delivery.error_code,
              bytes: delivery.body_bytes,
            })),
            ["received", "outcome", "error", "bytes"],
          ),
    )}`,
  );
  if (event.runs.length > 0) {
    sections.push(
      `handler runs\n${indent(
        formatTable(
          event.runs.map((run) => ({
            handler: run.handler,
            status: run.status,
            attempts: `${run.attempts}/${run.max_attempts}`,
            finished: relativeTime(run.finished_at, now),
            "next run": run.status === "pending" || run.status === "failed" ? relativeTime(run.run_at, now) : null,
            "last error": run.last_error,
          })),
          ["handler", "status", "attempts", "finished", "next run", "last error"],
        ),
      )}`,
    );
  }
  sections.push(`payload\n${indent(JSON.stringify(event.payload, null, 2))}`);
  return sections.join("\n\n");
}

function indent(text: string): string {
  return text.replace(/^/gm, "  ");
}
