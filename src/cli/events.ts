import { type Command, InvalidArgumentError } from "commander";
import { EVENT_STATUSES, type EventStatus, searchEvents } from "../dashboard/event-search.js";
import { InboxError } from "../errors.js";
import { type EventSummary, showEvent } from "../inbox/event-queries.js";
import { eventDetail, eventTable } from "./event-tables.js";
import { type StoreFlags, withStoreOptions } from "./options.js";
import { parseWhen } from "./replay.js";
import { throughServerOrStore } from "./through-server.js";

/** The admin API's largest page; longer lists are read page by page, the same way on both paths. */
const PAGE = 200;

interface ListFlags extends StoreFlags {
  type?: string;
  status?: EventStatus;
  since?: string;
  until?: string;
  limit: number;
  json?: boolean;
}

export function registerEvents(program: Command): void {
  const events = program.command("events").description("browse the events in the inbox");

  withStoreOptions(events.command("list").description("list events, newest first; exits 1 when a filter matches none"))
    .option("--type <type>", "only events of this type; wildcards like invoice.*")
    .option("--status <status>", `only events in this state: ${EVENT_STATUSES.join(", ")}`, parseStatus)
    .option("--since <when>", "only events created since: ISO time or 30m, 2h, 30d ago", checkWhen)
    .option("--until <when>", "only events created before: ISO time or 30m, 2h, 30d ago", checkWhen)
    .option("--limit <n>", "how many", parseLimit, 50)
    .option("--json", "print one JSON array")
    .action(async (flags: ListFlags) => {
      const since = flags.since === undefined ? undefined : parseWhen(flags.since);
      const until = flags.until === undefined ? undefined : parseWhen(flags.until);
      const filter = {
        ...(flags.type && { type: flags.type }),
        ...(flags.status && { status: flags.status }),
        ...(since && { since: since.toISOString() }),
        ...(until && { until: until.toISOString() }),
      };
      // On PGlite a running `serve` holds the data dir: ask it, through its admin API, for the same rows.
      const rows = await throughServerOrStore(flags, {
        server: (client) =>
          listPages(flags.limit, (limit, cursor) =>
            client.listEvents({ ...filter, limit: String(limit), ...(cursor && { cursor }) }),
          ),
        store: (store) =>
          listPages(flags.limit, (limit, cursor) =>
            searchEvents(store, {
              limit,
              cursor,
              type: flags.type,
              status: flags.status,
              since,
              until,
            }),
          ),
      });
      if (flags.json) console.log(JSON.stringify(rows, null, 2));
      if (rows.length === 0) {
        if (Object.keys(filter).length > 0)
          throw new InboxError("no_match", 404, `No events match ${describe(flags)}.`);
        if (!flags.json) console.log("no events in the inbox yet");
        return;
      }
      if (!flags.json) console.log(eventTable(rows));
    });

  withStoreOptions(events.command("show <id>").description("show one event with its deliveries and handler runs"))
    .option("--json", "print JSON")
    .action(async (id: string, flags: StoreFlags & { json?: boolean }) => {
      const event = await throughServerOrStore(flags, {
        server: (client) => client.showEvent(id),
        store: (store) => showEvent(store, id),
      });
      if (!event) throw new InboxError("event_not_found", 404, `No event ${id} in the inbox.`);
      console.log(flags.json ? JSON.stringify(event, null, 2) : eventDetail(event));
    });
}

/** The filters as they were typed, for the line that says nothing matched. */
function describe(flags: ListFlags): string {
  const parts: string[] = [];
  if (flags.type) parts.push(`--type ${flags.type}`);
  if (flags.status) parts.push(`--status ${flags.status}`);
  if (flags.since) parts.push(`--since ${flags.since}`);
  if (flags.until) parts.push(`--until ${flags.until}`);
  return parts.join(" ");
}

async function listPages(
  limit: number,
  page: (limit: number, cursor: string | undefined) => Promise<{ data: EventSummary[]; next_cursor: string | null }>,
): Promise<EventSummary[]> {
  const rows: EventSummary[] = [];
  let cursor: string | undefined;
  do {
    const next = await page(Math.min(PAGE, limit - rows.length), cursor);
    rows.push(...next.data);
    cursor = next.next_cursor ?? undefined;
  } while (cursor !== undefined && rows.length < limit);
  return rows;
}

/** Checked when parsed, turned into a time when the command runs; the text is kept for messages. */
function checkWhen(value: string): string {
  parseWhen(value);
  return value;
}

function parseStatus(value: string): EventStatus {
  if (!(EVENT_STATUSES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`one of ${EVENT_STATUSES.join(", ")}`);
  }
  return value as EventStatus;
}

function parseLimit(value: string): number {
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
    throw new InvalidArgumentError("a number from 1 to 10000");
  return limit;
}
