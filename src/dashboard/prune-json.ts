import type { PruneResult } from "../retention/prune.js";
import { badRequest, jsonFields } from "./admin-input.js";

/** The body of `POST /api/prune`, as `stripe-inbox prune` sends it: the cut is always explicit. */
export interface PruneBody {
  before: string;
  dry_run?: boolean;
}

/** What prune removed (or would), in the admin API's snake_case, as `stripe-inbox prune --json` prints it. */
export interface PruneResultJson {
  before: string;
  dry_run: boolean;
  events: number;
  runs: number;
  deliveries: number;
  expired_ids: number;
  payload_bytes: number;
  /** Month partitions dropped whole. */
  partitions: string[];
  partition_bytes: number;
}

export function parsePruneBody(body: unknown): { before: Date; dryRun: boolean } {
  const fields = jsonFields(body, ["before", "dry_run"]);
  const before = fields.date("before");
  if (!before) throw badRequest("before is required: prune removes what was received before it.");
  return { before, dryRun: fields.boolean("dry_run") ?? false };
}

export function pruneToJson(result: PruneResult): PruneResultJson {
  return {
    before: result.before,
    dry_run: result.dryRun,
    events: result.events,
    runs: result.runs,
    deliveries: result.deliveries,
    expired_ids: result.expiredIds,
    payload_bytes: result.payloadBytes,
    partitions: result.partitions,
    partition_bytes: result.partitionBytes,
  };
}

export function pruneFromJson(json: PruneResultJson): PruneResult {
  return {
    before: json.before,
    dryRun: json.dry_run,
    events: json.events,
    runs: json.runs,
    deliveries: json.deliveries,
    expiredIds: json.expired_ids,
    payloadBytes: json.payload_bytes,
    partitions: json.partitions ?? [],
    partitionBytes: json.partition_bytes ?? 0,
  };
}
