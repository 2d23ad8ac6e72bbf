import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "./processes.js";
import { tempDir } from "./stores.js";

const READY = "template-ready";

/** What a migrated data directory depends on: the migrations, the code that applies them, the PGlite release. */
function templateKey(): string {
  const hash = createHash("sha256");
  const migrations = new URL("../../src/store/migrations/", import.meta.url);
  for (const name of readdirSync(migrations).sort()) hash.update(name).update(readFileSync(new URL(name, migrations)));
  hash.update(readFileSync(new URL("../../src/store/migrate.ts", import.meta.url)));
  hash.update(readFileSync(new URL("../../node_modules/@electric-sql/pglite/package.json", import.meta.url)));
  return hash.digest("hex").slice(0, 16);
}

/**
 * A fresh PGlite data directory, already migrated. initdb and the migrations take seconds of CPU per directory,
 * so whole-process tests copy one made by `stripe-inbox migrate` and kept in the temp dir for these inputs.
 */
export async function migratedPgliteDir(): Promise<string> {
  const template = join(tmpdir(), `stripe-inbox-pglite-template-${templateKey()}`);
  if (!existsSync(join(template, READY))) {
    const building = mkdtempSync(`${template}-building-`);
    const made = await runCli(["migrate", "--data-dir", building], {});
    if (made.code !== 0) throw new Error(`stripe-inbox migrate failed: ${made.stderr}`);
    writeFileSync(join(building, READY), "");
    try {
      renameSync(building, template);
    } catch {
      // Another test file made it at the same time; theirs is as good.
      rmSync(building, { recursive: true, force: true });
    }
  }
  const dir = tempDir();
  cpSync(template, dir, { recursive: true });
  rmSync(join(dir, READY));
  return dir;
}
