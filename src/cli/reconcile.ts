import { type Command, InvalidArgumentError } from "commander";
import { createInbox } from "../create-inbox.js";
import { parseAccounts } from "../mirror/accounts.js";
import { durationMs } from "../retention/duration.js";
import { resolveConfig, type StoreFlags, withStoreOptions } from "./options.js";
import { parseWhen } from "./replay.js";

const DEFAULT_SINCE_MS = 3 * 86_400_000;

export function registerReconcile(program: Command): void {
  withStoreOptions(
    program
      .command("reconcile")
      .description("store the events Stripe has that the inbox missed, so their handlers run (GET /v1/events)"),
  )
    .option(
      "--since <when>",
      "events created since: ISO time or 30m, 2h, 3d ago (default 3d; Stripe keeps 30d)",
      parseWhen,
    )
    .option("--account <list>", "connected accounts acct_1,acct_2 (Stripe-Account), and platform (default platform)")
    .option("--json", "print the counts as JSON")
    .action(async (flags: StoreFlags & { since?: Date; account?: string; json?: boolean }) => {
      const accounts = flags.account === undefined ? undefined : parseAccounts(flags.account);
      // Receives nothing: the events it stores are run by the workers of `serve` or `worker`.
      const inbox = createInbox({ ...resolveConfig(flags), workers: false });
      try {
        const result = await inbox.reconcile({
          since: flags.since ?? new Date(Date.now() - DEFAULT_SINCE_MS),
          accounts,
        });
        if (flags.json) {
          const { listed, alreadyStored, inserted, since } = result;
          console.log(JSON.stringify({ listed, already_stored: alreadyStored, inserted, since: since.toISOString() }));
          return;
        }
        console.log(
          `${result.listed} events since ${result.since.toISOString()}: ` +
            `${result.alreadyStored} already in the inbox, ${result.inserted} inserted`,
        );
      } finally {
        await inbox.stop();
      }
    });
}

/** `30s`, `15m`, `1h`, `1d`: how often `serve --reconcile-every` runs. */
export function parseEvery(value: string): number {
  const ms = durationMs(value) ?? 0;
  if (!(ms > 0)) throw new InvalidArgumentError("an interval such as 30s, 15m, 1h or 1d");
  return ms;
}
