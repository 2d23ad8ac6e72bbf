import { type Command, InvalidArgumentError } from "commander";
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
  handler?: string;
  dryRun?: boolean;
}

export function registerReplay(program: Command): void {
  withStoreOptions(program.command("replay [eventId]").description("run handlers again: one event, or all that match"))
    .option("--failed", "runs waiting for a retry")
    .option("--dead", "dead-lettered runs")
    .option("--succeeded", "runs that succeeded")
    .option("--type <type>", "events of this type; wildcards like invoice.*")
    .option("--since <when>", "events created since: ISO time or 30m, 2h, 3d ago", parseWhen)
    .option("--until <when>", "events created before: ISO time or 30m, 2h, 3d ago", parseWhen)
    .option("--handler <name>", "only this handler's runs")
    .option("--dry-run", "print how many would be replayed")
    .action(async (eventId: string | undefined, flags: ReplayFlags) => {
      const statuses = (["failed", "dead", "succeeded"] as const).filter((status) => flags[status]);
      const filter: ReplayFilter = {
        eventId,
        type: flags.type,
        since: flags.since,
        until: flags.until,
        handler: flags.handler,
        statuses: statuses.length > 0 ? [...statuses] : undefined,
      };
      const dryRun = flags.dryRun ?? false;
      // On PGlite a running `serve` holds the data dir: the same selection goes through its admin API.
      const result: ReplayResult = await throughServerOrStore(flags, {
        server: (client) => client.replay(replayBody(filter, dryRun)),
        store: (store) => replay(store, filter, { dryRun }),
      });
      const verb = dryRun ? "would replay" : "replayed";
      console.log(`${verb} ${result.runs} run(s); ${result.events} event(s) without a handler re-dispatched`);
    });
}

/** The filter as `POST /api/replay` takes it. */
function replayBody(filter: ReplayFilter, dryRun: boolean): Record<string, string | boolean> {
  const body: Record<string, string | boolean> = { dry_run: dryRun };
  if (filter.eventId) body.event_id = filter.eventId;
  if (filter.type) body.type = filter.type;
  if (filter.since) body.since = filter.since.toISOString();
  if (filter.until) body.until = filter.until.toISOString();
  if (filter.handler) body.handler = filter.handler;
  if (filter.statuses) body.status = filter.statuses.join(",");
  return body;
}

/** `30s`, `15m`, `2h`, `3d` in milliseconds, or null when the value is not such a duration. */
export function durationMs(value: string): number | null {
  const match = /^(\d+)([smhd])$/.exec(value);
  return match ? Number(match[1]) * { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as "s"] : null;
}

export function parseWhen(value: string): Date {
  const ago = durationMs(value);
  if (ago !== null) return new Date(Date.now() - ago);
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new InvalidArgumentError("an ISO time (2026-01-31T12:00:00Z) or 30m, 2h, 3d");
  return date;
}
