import type { EmulatorCore, Route } from "../core.js";
import type { DeliveryAttempt } from "../delivery.js";
import type { FaultSettings } from "../faults.js";

export interface ControlHooks {
  faults: { get(): FaultSettings; set(faults: FaultSettings): void };
  deliveries(): readonly DeliveryAttempt[];
  reset(): void;
}

/** Emulator-only routes under `/_emulator/`, for tests and scripts in other languages; no API key needed. */
export function controlRoutes(_core: EmulatorCore, hooks: ControlHooks): Route[] {
  return [
    { method: "GET", pattern: "/_emulator/faults", handler: () => hooks.faults.get() },
    {
      method: "POST",
      pattern: "/_emulator/faults",
      handler: ({ params }) => {
        hooks.faults.set(params as FaultSettings);
        return hooks.faults.get();
      },
    },
    { method: "GET", pattern: "/_emulator/deliveries", handler: () => ({ data: hooks.deliveries() }) },
    {
      method: "POST",
      pattern: "/_emulator/reset",
      handler: () => {
        hooks.reset();
        return { reset: true };
      },
    },
  ];
}
