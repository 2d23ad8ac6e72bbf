import type { Command } from "commander";
import { pruneToJson } from "../dashboard/prune-json.js";
import { ConfigError } from "../errors.js";
import { parseCut } from "../retention/duration.js";
import { type PruneResult, prune } from "../retention/prune.js";
import { resolveConfig, resolveRetention, type StoreFlags, withStoreOptions } from "./options.js";
import { throughServerOrStore } from "./through-server.js";

interface PruneFlags extends StoreFlags {
  before?: string;
  dryRun?: boolean;
  json?: boolean;
}

export function registerPrune(program: Command): void {
  withStoreOptions(
    program
      .command("prune")
      .description("remove handled events, their deliveries and runs, and rejected attempts, older than a cut")
      .addHelpText(
        "after",
        `
Removed: events whose every handler run succeeded, or that had no handler, with their deliveries and runs;
rejected delivery attempts; ids of pruned events kept past their time. Never removed: events not yet
dispatched or with a run pending, running, failed or dead, and anything in the mirror. A pruned event's id
is kept (at least 3 days past the cut, and at least as long as the retention), so a late redelivery is
still answered as a duplicate and runs nothing. A month whose every event, run and delivery may go is
dropped whole (its partitions: space returned to disk); the rest is deleted in batches. Safe while serve
and workers run.

Examples:
  stripe-inbox prune --dry-run            what the retention (STRIPE_INBOX_RETENTION, 90d) allows now
  stripe-inbox prune --before 30d         events received more than 30 days ago
  stripe-inbox prune --before now --json  everything finished, up to this moment`,
      ),
  )
    .option(
      "--before <when>",
      "an ISO time, a duration back from now (30d, 12h), or now; default: STRIPE_INBOX_RETENTION (90d) back from now",
    )
    .option("--dry-run", "print what would be removed, remove nothing")
    .option("--json", "print JSON")
    .action(async (flags: PruneFlags) => {
      const now = new Date();
      const before = cutOf(flags, now);
      const dryRun = flags.dryRun ?? false;
      // On PGlite a running `serve` holds the data dir: the same prune goes through its admin API.
      const result = await throughServerOrStore(flags, {
        server: (client) => client.prune({ before: before.toISOString(), dry_run: dryRun }),
        store: (store) => prune(store, { before, now, dryRun }),
      });
      console.log(flags.json ? JSON.stringify(pruneToJson(result), null, 2) : describePrune(result));
    });
}

function cutOf(flags: PruneFlags, now: Date): Date {
  if (flags.before !== undefined) return parseCut(flags.before, now);
  const retentionMs = resolveRetention(resolveConfig(flags), undefined);
  if (retentionMs === null) {
    throw new ConfigError("STRIPE_INBOX_RETENTION is off: say what to prune with --before (30d, an ISO time, now).");
  }
  return new Date(now.getTime() - retentionMs);
}

export function describePrune(result: PruneResult): string {
  const counts = `${result.events} event(s), ${result.runs} run(s), ${result.deliveries} delivery attempt(s), ${result.expiredIds} expired id(s)`;
  if (result.dryRun) return `would remove, received before ${result.before}: ${counts}`;
  const bytes = result.payloadBytes > 0 ? `; ${formatBytes(result.payloadBytes)} of payloads freed for reuse` : "";
  const partitions =
    result.partitions.length > 0
      ? `; ${result.partitions.length} partition(s) dropped whole (${result.partitions.join(", ")}), ${formatBytes(result.partitionBytes)} returned to disk`
      : "";
  return `removed, received before ${result.before}: ${counts}${bytes}${partitions}`;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
