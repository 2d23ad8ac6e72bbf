import type { Command } from "commander";
import { ConfigError } from "../errors.js";
import type { ServerLimits } from "../http/server-limits.js";

/** `serve`'s bounds on slow and numerous clients; each flag overrides its environment variable. */
export function withLimitOptions(command: Command): Command {
  return command
    .option(
      "--headers-timeout <seconds>",
      "time to receive a request's headers, then 408 (env STRIPE_INBOX_HEADERS_TIMEOUT, 10)",
    )
    .option(
      "--request-timeout <seconds>",
      "time to receive a whole request, body included, then 408 (env STRIPE_INBOX_REQUEST_TIMEOUT, 30)",
    )
    .option(
      "--keep-alive-timeout <seconds>",
      "how long an idle keep-alive connection stays open (env STRIPE_INBOX_KEEP_ALIVE_TIMEOUT, 5)",
    )
    .option(
      "--max-connections <n>",
      "connections open at once; more are closed (env STRIPE_INBOX_MAX_CONNECTIONS, 512)",
    )
    .option(
      "--max-unverified-bytes <bytes>",
      "bytes of bodies being read before their signature is checked; more get 503 (env STRIPE_INBOX_MAX_UNVERIFIED_BYTES, 16 MiB)",
    );
}

export interface LimitFlags {
  headersTimeout?: string;
  requestTimeout?: string;
  keepAliveTimeout?: string;
  maxConnections?: string;
  maxUnverifiedBytes?: string;
}

/** The server limits and the receiver's unverified-bytes bound given by flags or environment; unset ones left out. */
export function resolveLimits(
  flags: LimitFlags,
  env: NodeJS.ProcessEnv = process.env,
): { server: Partial<ServerLimits>; maxUnverifiedBytes?: number } {
  const server: Partial<ServerLimits> = {};
  const seconds = (flag: string, variable: string, value: string | undefined) => {
    const given = value ?? env[variable];
    if (given === undefined || given === "") return undefined;
    const parsed = Number(given);
    if (!(Number.isFinite(parsed) && parsed > 0)) {
      throw new ConfigError(
        `${value === undefined ? variable : flag} must be a positive number of seconds, not "${given}".`,
      );
    }
    return Math.max(1, Math.round(parsed * 1000));
  };
  const count = (flag: string, variable: string, value: string | undefined) => {
    const given = value ?? env[variable];
    if (given === undefined || given === "") return undefined;
    const parsed = Number(given);
    if (!(Number.isInteger(parsed) && parsed > 0)) {
      throw new ConfigError(`${value === undefined ? variable : flag} must be a positive integer, not "${given}".`);
    }
    return parsed;
  };
  const headers = seconds("--headers-timeout", "STRIPE_INBOX_HEADERS_TIMEOUT", flags.headersTimeout);
  const request = seconds("--request-timeout", "STRIPE_INBOX_REQUEST_TIMEOUT", flags.requestTimeout);
  const keepAlive = seconds("--keep-alive-timeout", "STRIPE_INBOX_KEEP_ALIVE_TIMEOUT", flags.keepAliveTimeout);
  const connections = count("--max-connections", "STRIPE_INBOX_MAX_CONNECTIONS", flags.maxConnections);
  const unverified = count("--max-unverified-bytes", "STRIPE_INBOX_MAX_UNVERIFIED_BYTES", flags.maxUnverifiedBytes);
  if (headers !== undefined) server.headersTimeoutMs = headers;
  if (request !== undefined) server.requestTimeoutMs = request;
  if (keepAlive !== undefined) server.keepAliveTimeoutMs = keepAlive;
  if (connections !== undefined) server.maxConnections = connections;
  return { server, ...(unverified !== undefined && { maxUnverifiedBytes: unverified }) };
}
