#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { InboxError } from "../errors.js";
import { packageVersion } from "./version.js";

type Register = (program: Command) => void;

/**
 * Each command's module, loaded when that command runs: the emulator, the dashboard and the Stripe client are
 * large, and a command that needs none of them should not pay for loading them at every start. In `--help` order.
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  serve: async () => (await import("./serve.js")).registerServe,
  worker: async () => (await import("./worker.js")).registerWorker,
  migrate: async () => (await import("./migrate.js")).registerMigrate,
  events: async () => (await import("./events.js")).registerEvents,
  replay: async () => (await import("./replay.js")).registerReplay,
  prune: async () => (await import("./prune.js")).registerPrune,
  handlers: async () => (await import("./handlers.js")).registerHandlers,
  "send-test-event": async () => (await import("./send-test-event.js")).registerSendTestEvent,
  emulator: async () => (await import("./emulator.js")).registerEmulator,
  trigger: async () => (await import("./trigger.js")).registerTrigger,
  register: async () => (await import("./register.js")).registerRegister,
  reconcile: async () => (await import("./reconcile.js")).registerReconcile,
  backfill: async () => (await import("./backfill.js")).registerBackfill,
  doctor: async () => (await import("./doctor/command.js")).registerDoctor,
};

const program = new Command("stripe-inbox")
  .description("A durable inbox for Stripe webhooks: verify, record in Postgres, acknowledge.")
  .version(packageVersion(), "-v, --version", "print the version")
  .showHelpAfterError("(run with --help for usage)")
  .exitOverride();

// The program takes no option with a value, so the first word is the command. Help, a mistyped command (whose
// suggestion needs every name) and no command at all load them all.
const named = process.argv.slice(2).find((arg) => !arg.startsWith("-"));
const only = named !== undefined && Object.hasOwn(COMMANDS, named) ? COMMANDS[named] : undefined;
const loaders = only ? [only] : Object.values(COMMANDS);
for (const register of await Promise.all(loaders.map((loadCommand) => loadCommand()))) register(program);

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
