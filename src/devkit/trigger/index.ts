export { TriggerRequestError } from "../../errors.js";
export { type DirectDelivery, type DirectTriggerOptions, triggerDirect } from "./direct.js";
export { editFixture, type FixtureEdits } from "./edits.js";
export { type FixtureFile, type FixtureRequest, loadFixtureFile, parseFixture } from "./fixture.js";
export { type FixtureResponse, type RunOptions, runFixture } from "./run.js";
export { builtInFixture, type TriggerOptions, trigger, triggerEvents } from "./trigger.js";
