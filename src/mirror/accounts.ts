import type Stripe from "stripe";
import { ConfigError } from "../errors.js";

/** The platform's own objects and events, in the mirror's `account` column and in `--account`'s list. */
export const PLATFORM = "";
const PLATFORM_NAME = "platform";
const ACCOUNT_ID = /^acct_\w+$/;

/**
 * `--account acct_1,acct_2` (and `platform` for the platform's own) as accounts to call the API as, or a
 * ConfigError naming what is not an account id.
 */
export function parseAccounts(list: string, flag = "--account"): string[] {
  const names = list
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  if (names.length === 0) throw new ConfigError(`${flag} needs acct_... ids (or platform), comma-separated.`);
  return checkAccounts(names.map((name) => (name === PLATFORM_NAME ? PLATFORM : name)));
}

/** The accounts, or a ConfigError: each is '' (the platform) or a connected account's `acct_...` id. */
export function checkAccounts(accounts: readonly string[]): string[] {
  const invalid = accounts.filter((account) => account !== PLATFORM && !ACCOUNT_ID.test(account));
  if (invalid.length > 0) {
    throw new ConfigError(`Not Stripe account ids: ${invalid.join(", ")}; expected acct_... or platform.`);
  }
  return [...new Set(accounts)];
}

/** Request options that act on `account`'s objects: `Stripe-Account` for a connected account, none for the platform. */
export function actingAs(account: string): Stripe.RequestOptions {
  return account === PLATFORM ? {} : { stripeAccount: account };
}
