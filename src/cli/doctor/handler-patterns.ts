import type { Inbox } from "../../create-inbox.js";
import { HandlerRegistry } from "../../worker/registry.js";
import { loadHandlers } from "../load-handlers.js";
import { type CheckResult, fail, ok } from "./report.js";

/**
 * The event patterns a `--handlers` module registers, read by running its default export against a registry alone:
 * nothing is opened or started. The registry checks names as `serve` would (a duplicate name fails here too).
 */
export async function readHandlerPatterns(path: string): Promise<{ patterns: string[] | null; result: CheckResult }> {
  const registry = new HandlerRegistry();
  const recorder: Pick<Inbox, "on" | "onError"> = {
    on: ((...args: Parameters<HandlerRegistry["on"]>) => registry.on(...args)) as Inbox["on"],
    onError: () => {},
  };
  try {
    await loadHandlers(path, recorder);
  } catch (error) {
    return { patterns: null, result: fail("handlers", error instanceof Error ? error.message : String(error)) };
  }
  const patterns = [...new Set(registry.names.map((name) => registry.get(name)?.pattern ?? name))];
  if (patterns.length === 0) return { patterns, result: fail("handlers", `${path} registers no handler`) };
  return {
    patterns,
    result: ok("handlers", `${registry.size} in ${path}, for ${patterns.join(", ")}`),
  };
}
