import { type Command, InvalidArgumentError } from "commander";
import { migrate } from "../store/migrate.js";
import { openStore } from "../store/open.js";
import { type ReplayFilter, replay } from "../worker/replay.js";
import { resolveConfig, type StoreFlags, storeConfig, withStoreOptions } from "./options.js";

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
      const store = await openStore(storeConfig(resolveConfig(flags)));
      try {
        await migrate(store);
        const result = await replay(store, filter, { dryRun: flags.dryRun ?? false });
        const verb = flags.dryRun ? "would replay" : "replayed";
        console.log(`${verb} ${result.runs} run(s); ${result.events} event(s) without a handler re-dispatched`);
      } finally {
        await store.close();
      }
    });
}

export function parseWhen(value: string): Date {
  const relative = /^(\d+)([smhd])$/.exec(value);
  if (relative) {
    const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as "s" | "m" | "h" | "d"];
    return new Date(Date.now() - Number(relative[1]) * unit);
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new InvalidArgumentError("an ISO time (2026-01-31T12:00:00Z) or 30m, 2h, 3d");
  return date;
}
