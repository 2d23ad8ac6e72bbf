import type { Handler, HandlerContext, HandlerOptions, HandlerRegistry } from "../worker/registry.js";
import type { InboxMetrics } from "./inbox-metrics.js";

/** `registry.on`, with each handler wrapped to time its function for the handler-duration histogram. */
export function timedRegistration(registry: HandlerRegistry, metrics: InboxMetrics): HandlerRegistry["on"] {
  const on = (pattern: string, fn: Handler<unknown>, options?: HandlerOptions) => {
    let name = pattern;
    const timed = async (event: unknown, ctx: HandlerContext) => {
      const started = performance.now();
      try {
        await fn(event, ctx);
        metrics.handlerTimed(name, "returned", (performance.now() - started) / 1000);
      } catch (error) {
        metrics.handlerTimed(name, "threw", (performance.now() - started) / 1000);
        throw error;
      }
    };
    // The registry derives a default name from the function's name: keep it.
    Object.defineProperty(timed, "name", { value: fn.name });
    registry.on(pattern, timed, options);
    name = registry.names.find((candidate) => registry.get(candidate)?.fn === timed) ?? pattern;
  };
  return on as HandlerRegistry["on"];
}
