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

  const connect = () => {
    const current = new pg.Client({ connectionString, application_name: "stripe-inbox-listen" });
    client = current;
    // One failure can arrive twice (the 'error' event and the LISTEN or connect it rejects): one reconnect per client,
    // or each would start a listener of its own that stop() never ends.
    let failed = false;
    const fail = (error: Error) => {
      if (failed) return;
      failed = true;
      void current.end().catch(() => {});
      if (stopped) return;
      onError(error);
      retry = setTimeout(connect, RECONNECT_MS);
    };
    current.on("notification", () => onNotify());
    current.on("error", fail);
    current
      .connect()
      .then(() => current.query(`LISTEN ${quoteIdent(channel)}`))
      .then(() => {
        // Stopped while connecting: this connection must not outlive stop().
        if (stopped) return void current.end().catch(() => {});
        // Work may have arrived while we were not listening.
        onNotify();
      }, fail);
  };
  connect();

  return async () => {
    stopped = true;
    clearTimeout(retry);
    await client?.end().catch(() => {});
  };
}
