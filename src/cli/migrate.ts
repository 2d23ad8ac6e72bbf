import type { Command } from "commander";
import { migrate } from "../store/migrate.js";
import { openStore } from "../store/open.js";
import { resolveConfig, type StoreFlags, storeConfig, withStoreOptions } from "./options.js";

export function registerMigrate(program: Command): void {
  withStoreOptions(program.command("migrate").description("apply pending database migrations and exit"))
    .option("--json", 'print {"applied": [...]}')
    .action(async (flags: StoreFlags & { json?: boolean }) => {
      const store = await openStore(storeConfig(resolveConfig(flags)));
      try {
        const applied = await migrate(store);
        if (flags.json) console.log(JSON.stringify({ applied }));
        else console.log(applied.length > 0 ? `applied: ${applied.join(", ")}` : "migrations are current");
      } finally {
        await store.close();
      }
    });
}
