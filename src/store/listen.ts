import pg from "pg";
import { quoteIdent } from "./migrate.js";

const RECONNECT_MS = 1_000;

/** The channel a commit that stored new events notifies, per inbox schema. */
export function eventsChannel(schema: string): string {
  return `${schema}_events`;
}

/**
 * LISTENs on a dedicated connection and calls `onNotify` for each notification; reconnects after a failure
 * (the workers' polling covers the gap). Returns a function that stops listening.
 */
export function listenForEvents(
  connectionString: string,
  channel: string,
  onNotify: () => void,
  onError: (error: Error) => void,
): () => Promise<void> {
  let client: pg.Client | null = null;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;

  const connect = async () => {
    const current = new pg.Client({ connectionString, application_name: "stripe-inbox-listen" });
    client = current;
    current.on("notification", () => onNotify());
    current.on("error", (error) => {
      onError(error);
      void current.end().catch(() => {});
      if (!stopped) retry = setTimeout(connect, RECONNECT_MS);
    });
    try {
      await current.connect();
      await current.query(`LISTEN ${quoteIdent(channel)}`);
      // Work may have arrived while we were not listening.
      onNotify();
    } catch (error) {
      onError(error as Error);
      void current.end().catch(() => {});
      if (!stopped) retry = setTimeout(connect, RECONNECT_MS);
    }
  };
  void connect();

  return async () => {
    stopped = true;
    clearTimeout(retry);
    await client?.end().catch(() => {});
  };
}
