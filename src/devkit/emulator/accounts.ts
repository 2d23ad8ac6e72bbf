import { StripeApiError } from "./errors.js";
import { ObjectStore, type StoreWrites } from "./store.js";

const ACCOUNT_ID = /^acct_\w+$/;

/**
 * The platform's objects and each connected account's, kept apart as Stripe keeps them: a request with
 * `Stripe-Account: acct_...` acts on that account's objects only, so the same id can exist under two accounts.
 */
export class AccountStores {
  readonly platform: ObjectStore;
  private readonly connected = new Map<string, ObjectStore>();
  private acting: string | null = null;

  /** `writesOf`: who is told of each account's writes (the journal of `emulator --data`). */
  constructor(private readonly writesOf: (account: string | null) => StoreWrites | undefined = () => undefined) {
    this.platform = new ObjectStore(writesOf(null));
  }

  /** The connected account the request being served acts on, or null for the platform. */
  get account(): string | null {
    return this.acting;
  }

  /** The objects of `account` (default: the one acting now); a connected account's come into being when first used. */
  store(account: string | null = this.acting): ObjectStore {
    if (account === null) return this.platform;
    let found = this.connected.get(account);
    if (!found) {
      found = new ObjectStore(this.writesOf(account));
      this.connected.set(account, found);
    }
    return found;
  }

  /** The platform and every connected account used so far, with their objects. */
  *all(): Generator<[string | null, ObjectStore]> {
    yield [null, this.platform];
    yield* this.connected;
  }

  /** Forgets every object of every account. */
  clear(): void {
    this.platform.clear();
    this.connected.clear();
  }

  /** Runs a synchronous route as `account`: every object it reads, writes or emits an event for is that account's. */
  actingAs<T>(account: string | null, run: () => T): T {
    if (account !== null && !ACCOUNT_ID.test(account)) throw noAccess(account);
    const before = this.acting;
    this.acting = account;
    try {
      return run();
    } finally {
      this.acting = before;
    }
  }
}

function noAccess(account: string): StripeApiError {
  return new StripeApiError(
    403,
    "invalid_request_error",
    "account_invalid",
    `The provided key does not have access to account '${account}' (or that account does not exist). Application access may have been revoked.`,
  );
}
