import { type Command, InvalidArgumentError } from "commander";
import { InboxError } from "../errors.js";
import { listEvents, showEvent } from "../inbox/event-queries.js";
import { migrate } from "../store/migrate.js";
import { openStore } from "../store/open.js";
import type { Store } from "../store/store.js";
import { resolveConfig, type StoreFlags, storeConfig, withStoreOptions } from "./options.js";

export function registerEvents(program: Command): void {
  const events = program.command("events").description("browse the events in the inbox");

  withStoreOptions(events.command("list").description("list events, newest first"))
    .option("--type <type>", "only events of this type")
    .option("--limit <n>", "how many", parseLimit, 50)
    .option("--json", "print one JSON array")
    .action(async (flags: StoreFlags & { type?: string; limit: number; json?: boolean }) => {
      const rows = await withStore(flags, (store) => listEvents(store, { limit: flags.limit, type: flags.type }));
      if (flags.json) return console.log(JSON.stringify(rows, null, 2));
      if (rows.length === 0) return console.log("no events");
      console.table(rows.map(({ id, type, created, status, account }) => ({ id, type, created, status, account })));
    });

  withStoreOptions(events.command("show <id>").description("show one event with its deliveries and handler runs"))
    .option("--json", "print JSON")
    .action(async (id: string, flags: StoreFlags & { json?: boolean }) => {
      const event = await withStore(flags, (store) => showEvent(store, id));
      if (!event) throw new InboxError("event_not_found", 404, `No event ${id} in the inbox.`);
      if (flags.json) return console.log(JSON.stringify(event, null, 2));
      const { payload, deliveries, runs, ...summary } = event;
      console.log(summary);
      console.table(deliveries);
      if (runs.length > 0) console.table(runs.map(({ last_error_stack: _stack, ...run }) => run));
      console.log(JSON.stringify(payload, null, 2));
    });
}

async function withStore<T>(flags: StoreFlags, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(storeConfig(resolveConfig(flags)));
  try {
    await migrate(store);
    return await fn(store);
  } finally {
    await store.close();
  }
}

function parseLimit(value: string): number {
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
    throw new InvalidArgumentError("a number from 1 to 10000");
  return limit;
}
