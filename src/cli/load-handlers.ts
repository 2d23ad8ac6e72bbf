import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Inbox } from "../create-inbox.js";
import { ConfigError } from "../errors.js";

/** `--handlers ./handlers.js`: an ES module whose default export registers handlers, `(inbox) => void`. */
export async function loadHandlers(path: string, inbox: Pick<Inbox, "on" | "onError">): Promise<void> {
  let module: { default?: unknown };
  try {
    module = await import(pathToFileURL(resolve(path)).href);
  } catch (error) {
    throw new ConfigError(`Could not load handlers from ${path}: ${error instanceof Error ? error.message : error}`);
  }
  if (typeof module.default !== "function") {
    throw new ConfigError(`${path} must export a default function (inbox) => { inbox.on(...) }.`);
  }
  await module.default(inbox);
}
