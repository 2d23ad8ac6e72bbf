import type { Command } from "commander";
import { createInbox } from "../create-inbox.js";
import { parseAccounts } from "../mirror/accounts.js";
import { BACKFILL_TYPES, type BackfillProgress } from "../mirror/backfill.js";
import { mirrorSetting } from "../mirror/cli-option.js";
import { DEFAULT_MIRROR_SCHEMA } from "../mirror/migrate.js";
import { resolveConfig, type StoreFlags, withStoreOptions } from "./options.js";
import { parseWhen } from "./replay.js";

type BackfillFlags = StoreFlags & { types?: string; since?: Date; mirror?: string; account?: string; json?: boolean };

export function registerBackfill(program: Command): void {
  withStoreOptions(
    program.command("backfill").description("list objects through the Stripe API into the mirror; resumable"),
  )
    .option("--types <list>", `comma-separated, of: ${BACKFILL_TYPES.join(",")} (default all)`)
    .option("--since <when>", "only objects created since: ISO time or 30m, 2h, 3d ago", parseWhen)
    .option("--mirror <schema>", "the mirror schema (env STRIPE_INBOX_MIRROR; default stripe)")
    .option("--account <list>", "connected accounts acct_1,acct_2 (Stripe-Account), and platform (default platform)")
    .option("--json", "print one JSON array of what each type (and account) wrote, instead of progress lines")
    .action(async (flags: BackfillFlags) => {
      const config = resolveConfig(flags);
      const setting = mirrorSetting(flags.mirror);
      const mirrorSchema = (setting ? setting.schema : undefined) ?? DEFAULT_MIRROR_SCHEMA;
      const inbox = createInbox({ ...config, workers: false, mirror: { schema: mirrorSchema } });
      try {
        const results = await inbox.backfill({
          types: flags.types?.split(",").map((type) => type.trim()),
          accounts: flags.account === undefined ? undefined : parseAccounts(flags.account),
          since: flags.since,
          ...(!flags.json && { onProgress: printProgress(process.stdout.isTTY === true) }),
        });
        if (flags.json) return console.log(JSON.stringify(results, null, 2));
        const total = results.reduce((sum, result) => sum + result.written, 0);
        console.log(`backfill complete: ${total} objects written to schema ${mirrorSchema}`);
      } finally {
        await inbox.stop();
      }
    });
}

/** On a terminal, one line per type rewritten in place; elsewhere (CI, logs), a plain line per page. */
export function printProgress(
  terminal: boolean,
  write: (text: string) => void = (text) => process.stdout.write(text),
): (progress: BackfillProgress) => void {
  return (progress) => {
    const line = `${progress.account ? `${progress.account} ` : ""}${progress.type}: ${progress.written} written${progress.resumed ? " (resumed)" : ""}${progress.done ? ", done" : ""}`;
    write(terminal ? `\r\x1b[2K${line}${progress.done ? "\n" : ""}` : `${line}\n`);
  };
}
