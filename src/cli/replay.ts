import { type Command, InvalidArgumentError } from "commander";
import { replayBody } from "../dashboard/replay-request.js";
import { InboxError } from "../errors.js";
import { durationMs } from "../retention/duration.js";
import { isPostgresTimestamp, parseIsoTimestamp } from "../store/pg-values.js";
import { type ReplayFilter, type ReplayResult, replay } from "../worker/replay.js";
import { type StoreFlags, withStoreOptions } from "./options.js";
import { throughServerOrStore } from "./through-server.js";

interface ReplayFlags extends StoreFlags {
  failed?: boolean;
  dead?: boolean;
  succeeded?: boolean;
  type?: string;
  since?: Date;
  until?: Date;
  handler?: string[];
  all?: boolean;
  dryRun?: boolean;
}

export function registerReplay(program: Command): void {
  withStoreOptions(
    program
      .command("replay [eventId]")
      .description("run handlers again: the runs that failed or died, of one event or of all that match")
      .addHelpText(
        "after",
        `
Without --succeeded, --handler or --all, only runs that did not succeed (failed, dead) run again, and events
that matched no handler are matched again: a handler that succeeded is not repeated unless asked for.
A replayed run keeps its attempt count and gets its handler's retry budget afresh.

Examples:
  stripe-inbox replay evt_123                   the failed and dead runs of one event
  stripe-inbox replay evt_123 --all             every handler of that event, those that succeeded too
  stripe-inbox replay evt_123 --handler fulfil  that handler only, whatever its state
  stripe-inbox replay --dead --type 'invoice.*' --dry-run`,
      ),
  )
    .option("--failed", "runs waiting for a retry")
    .option("--dead", "dead-lettered runs")
    .option("--succeeded", "runs that succeeded")
    .option("--type <type>", "events of this type; wildcards like invoice.*")
    .option("--since <when>", "events created since: ISO time or 30m, 2h, 3d ago", parseWhen)
    .option("--until <when>", "events created before: ISO time or 30m, 2h, 3d ago", parseWhen)
    .option("--handler <name>", "only this handler's runs, whatever their state (repeat for several)", collect)
    .option("--all", "every handler of the selected events, those that succeeded too")
    .option("--dry-run", "print how many would be replayed")
    .action(async (eventId: string | undefined, flags: ReplayFlags) => {
      const statuses = (["failed", "dead", "succeeded"] as const).filter((status) => flags[status]);
      const filter: ReplayFilter = {
        eventId,
        type: flags.type,
        since: flags.since,
        until: flags.until,
        handlers: flags.handler,
        statuses: statuses.length > 0 ? [...statuses] : undefined,
        all: flags.all,
      };
      const dryRun = flags.dryRun ?? false;
      let result: ReplayResult;
      try {
        // On PGlite a running `serve` holds the data dir: the same selection goes through its admin API.
        result = await throughServerOrStore(flags, {
          server: (client) => client.replay(replayBody(filter, dryRun)),
          store: (store) => replay(store, filter, { dryRun }),
        });
      } catch (error) {
        // Not a usage error (exit 2): the command ran and found nothing, as `grep` exits 1.
        if (!(error instanceof InboxError) || error.code !== "event_not_found") throw error;
        console.error(`stripe-inbox: no event ${eventId} is stored; nothing replayed.`);
        process.exitCode = 1;
        return;
      }
      const verb = dryRun ? "would replay" : "replayed";
      console.log(`${verb} ${result.runs} run(s); ${result.events} event(s) without a handler re-dispatched`);
      if (result.runs + result.events === 0 && !filter.statuses && !filter.handlers && !filter.all) {
        console.log("runs that succeeded are left alone: --all or --handler <name> runs them again");
      }
    });
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function parseWhen(value: string): Date {
  const ago = durationMs(value);
  const date = ago !== null ? new Date(Date.now() - ago) : parseIsoTimestamp(value);
  if (!date || !isPostgresTimestamp(date)) {
    throw new InvalidArgumentError("an ISO time from the years 0001-9999 (2026-01-31T12:00:00Z) or 30m, 2h, 3d");
  }
  return date;
}
