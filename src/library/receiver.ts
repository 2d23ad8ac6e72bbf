import { ConfigError } from "../errors.js";
import { createFetchHandler } from "../http/fetch.js";
import { createWebhookReceiver, type WebhookReceiver } from "../http/receive.js";
import { loadWebhookSecrets, WebhookSecrets } from "../inbox/stored-secrets.js";
import type { InboxMetrics } from "../metrics/inbox-metrics.js";
import { toStoreUnavailable } from "../store/unavailable.js";
import type { InboxStore } from "./inbox-store.js";
import type { Settings } from "./options.js";

export interface InboxReceiver {
  /** receive -> verify -> record -> ack, for any adapter. */
  receive: WebhookReceiver;
  /** The same as a web-standard handler. */
  fetch: (request: Request) => Promise<Response>;
  /** Loads the secrets stored by `register` now, and again every minute. */
  startSecrets(): Promise<void>;
  close(): void;
}

/** The receive path: configured and stored secrets, verification, the group commit of the store. */
export function inboxReceiver(
  settings: Settings,
  parts: { store: InboxStore; metrics: InboxMetrics; onEventStored: () => void },
): InboxReceiver {
  const { log } = settings;
  // Secrets stored by `register` are cached, and reloaded when a delivery matches none of the known ones.
  const secrets = new WebhookSecrets({
    configured: settings.secrets,
    load: async () => loadWebhookSecrets((await parts.store.open()).store),
    log,
  });
  const acceptedSecrets = () => {
    const accepted = secrets.current();
    if (accepted.length === 0) {
      throw new ConfigError(
        "No webhook secret: set STRIPE_WEBHOOK_SECRET to the endpoint's whsec_... secret, or store one with `stripe-inbox register`.",
      );
    }
    return accepted;
  };
  const receive = createWebhookReceiver({
    secrets: acceptedSecrets,
    reloadSecrets: () => secrets.reload(),
    onEventStored: parts.onEventStored,
    toleranceSeconds: settings.receive.toleranceSeconds,
    maxBodyBytes: settings.receive.maxBodyBytes,
    ...(settings.receive.maxUnverifiedBytes !== undefined && {
      maxUnverifiedBytes: settings.receive.maxUnverifiedBytes,
    }),
    recorder: async () => {
      try {
        return (await parts.store.open()).recorder;
      } catch (error) {
        throw toStoreUnavailable(error);
      }
    },
    log,
    now: () => Math.floor(settings.clock().getTime() / 1000),
    onAnswered: parts.metrics.deliveryAnswered,
  });
  return {
    receive,
    fetch: createFetchHandler(receive),
    async startSecrets() {
      secrets.startRefreshing();
      await secrets.reload();
    },
    close: () => secrets.close(),
  };
}
