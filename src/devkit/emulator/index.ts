export type { DeliveryAttempt } from "./delivery.js";
export { DEFAULT_DELIVERY_RETRY_SCHEDULE_MS } from "./delivery.js";
export {
  DEFAULT_EMULATOR_PORT,
  type EmulatorOptions,
  type RunningEmulator,
  startEmulator,
} from "./emulator.js";
export type { FaultSettings } from "./faults.js";
export type { RecordedRequest } from "./http.js";
