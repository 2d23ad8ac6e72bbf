import { type Command, InvalidArgumentError } from "commander";
import { searchEvents } from "../dashboard/event-search.js";
import { InboxError } from "../errors.js";
import { type EventSummary, showEvent } from "../inbox/event-queries.js";
import { type StoreFlags, withStoreOptions } from "./options.js";
import { throughServerOrStore } from "./through-server.js";

/** The admin API's largest page; longer lists are read page by page, the same way on both paths. */
const PAGE = 200;

export function registerEvents(program: Command): void {
  const events = program.command("events").description("browse the events in the inbox");

  withStoreOptions(events.command("list").description("list events, newest first"))
    .option("--type <type>", "only events of this type; wildcards like invoice.*")
    .option("--limit <n>", "how many", parseLimit, 50)
    .option("--json", "print one JSON array")
    .action(async (flags: StoreFlags & { type?: string; limit: number; json?: boolean }) => {
      // On PGlite a running `serve` holds the data dir: ask it, through its admin API, for the same rows.
      const rows = await throughServerOrStore(flags, {
        server: (client) =>
          listPages(flags.limit, (limit, cursor) =>
            client.listEvents({
              limit: String(limit),
              ...(flags.type && { type: flags.type }),
              ...(cursor && { cursor }),
            }),
          ),
        store: (store) =>
          listPages(flags.limit, (limit, cursor) => searchEvents(store, { limit, type: flags.type, cursor })),
      });
      if (flags.json) return console.log(JSON.stringify(rows, null, 2));
      if (rows.length === 0) return console.log("no events");
      console.table(rows.map(({ id, type, created, status, account }) => ({ id, type, created, status, account })));
    });

  withStoreOptions(events.command("show <id>").description("show one event with its deliveries and handler runs"))
    .option("--json", "print JSON")
    .action(async (id: string, flags: StoreFlags & { json?: boolean }) => {
      const event = await throughServerOrStore(flags, {
        server: (client) => client.showEvent(id),
        store: (store) => showEvent(store, id),
      });
      if (!event) throw new InboxError("event_not_found", 404, `No event ${id} in the inbox.`);
      if (flags.json) return console.log(JSON.stringify(event, null, 2));
      const { payload, deliveries, runs, ...summary } = event;
      console.log(summary);
      console.table(deliveries);
      if (runs.length > 0) console.table(runs.map(({ last_error_stack: _stack, ...run }) => run));
      console.log(JSON.stringify(payload, null, 2));
    });
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

function parseLimit(value: string): number {
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
    throw new InvalidArgumentError("a number from 1 to 10000");
  return limit;
}
