#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { InboxError } from "../errors.js";
import { registerBackfill } from "./backfill.js";
import { registerDoctor } from "./doctor/command.js";
import { registerEmulator } from "./emulator.js";
import { registerEvents } from "./events.js";
import { registerHandlers } from "./handlers.js";
import { registerMigrate } from "./migrate.js";
import { registerPrune } from "./prune.js";
import { registerReconcile } from "./reconcile.js";
import { registerRegister } from "./register.js";
import { registerReplay } from "./replay.js";
import { registerSendTestEvent } from "./send-test-event.js";
import { registerServe } from "./serve.js";
import { registerTrigger } from "./trigger.js";
import { packageVersion } from "./version.js";
import { registerWorker } from "./worker.js";

const program = new Command("stripe-inbox")
  .description("A durable inbox for Stripe webhooks: verify, record in Postgres, acknowledge.")
  .version(packageVersion(), "-v, --version", "print the version")
  .showHelpAfterError("(run with --help for usage)")
  .exitOverride();

registerServe(program);
registerWorker(program);
registerMigrate(program);
registerEvents(program);
registerReplay(program);
registerPrune(program);
registerHandlers(program);
registerSendTestEvent(program);
registerEmulator(program);
registerTrigger(program);
registerRegister(program);
registerReconcile(program);
registerBackfill(program);
registerDoctor(program);

try {
  await program.parseAsync();
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  // Bad input and bad configuration are one clear line, never a stack trace.
  const message = error instanceof InboxError ? error.message : error instanceof Error ? error.message : String(error);
  console.error(`stripe-inbox: ${message}`);
  // Nothing found (an unknown id, a filter that matches nothing) exits 1, as grep does; bad configuration 2.
  process.exit(error instanceof InboxError && error.status !== 404 ? 2 : 1);
}
