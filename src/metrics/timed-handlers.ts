import type { Handler, HandlerContext, HandlerOptions, HandlerRegistry } from "../worker/registry.js";
import type { InboxMetrics } from "./inbox-metrics.js";

/** `registry.on`, with each handler wrapped to time its function for the handler-duration histogram. */
export function timedRegistration(registry: HandlerRegistry, metrics: InboxMetrics): HandlerRegistry["on"] {
  const on = (pattern: string, fn: Handler<unknown>, options: HandlerOptions) => {
    const timed = async (event: unknown, ctx: HandlerContext) => {
      const started = performance.now();
      try {
        await fn(event, ctx);
        metrics.handlerTimed(options.name, "returned", (performance.now() - started) / 1000);
      } catch (error) {
        metrics.handlerTimed(options.name, "threw", (performance.now() - started) / 1000);
        throw error;
      }
    };
    // The registry checks the function and the options: hand it a non-function as it was given.
    registry.on(pattern as never, typeof fn === "function" ? timed : fn, options);
  };
  return on as HandlerRegistry["on"];
}
