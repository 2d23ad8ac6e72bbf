import type Stripe from "stripe";

/** The rows of a report as CSV columns: one record per row, keyed by column name. */
type Row = Record<string, string | number>;

export interface ReportDefinition {
  id: string;
  name: string;
  defaultColumns: string[];
  /** The report's rows for the balance transactions of its interval (and, for a summary, those before). */
  rows(during: Stripe.BalanceTransaction[], before: Stripe.BalanceTransaction[]): Row[];
}

/**
 * The financial reports the emulator can run, from Stripe's catalogue (docs.stripe.com/reports/report-types):
 * the balance summary and the balance change from activity, summarised and itemised. Amounts are in major units,
 * as in Stripe's CSV files.
 */
export const REPORT_TYPES: readonly ReportDefinition[] = [
  {
    id: "balance.summary.1",
    name: "Balance summary",
    defaultColumns: ["category", "description", "net_amount", "currency"],
    rows: (during, before) =>
      currenciesOf([...before, ...during]).flatMap((currency) => {
        const starting = total(before.filter((each) => each.currency === currency));
        const inCurrency = during.filter((each) => each.currency === currency);
        const payouts = total(inCurrency.filter((each) => each.reporting_category === "payout"));
        const activity = total(inCurrency) - payouts;
        return [
          ["starting_balance", "Starting balance", starting],
          ["activity", "Activity", activity],
          ["payouts", "Payouts", payouts],
          ["ending_balance", "Ending balance", starting + activity + payouts],
        ].map(([category, description, net]) => ({
          category: category as string,
          description: description as string,
          net_amount: major(net as number),
          currency,
        }));
      }),
  },
  {
    id: "balance_change_from_activity.summary.1",
    name: "Balance change from activity summary",
    defaultColumns: ["reporting_category", "currency", "count", "gross", "fee", "net"],
    rows: (during) => {
      const groups = new Map<string, Stripe.BalanceTransaction[]>();
      for (const each of during.filter((transaction) => transaction.reporting_category !== "payout")) {
        const key = `${each.reporting_category} ${each.currency}`;
        groups.set(key, [...(groups.get(key) ?? []), each]);
      }
      return [...groups.values()].map((group) => ({
        reporting_category: (group[0] as Stripe.BalanceTransaction).reporting_category,
        currency: (group[0] as Stripe.BalanceTransaction).currency,
        count: group.length,
        gross: major(group.reduce((sum, each) => sum + each.amount, 0)),
        fee: major(group.reduce((sum, each) => sum + each.fee, 0)),
        net: major(total(group)),
      }));
    },
  },
  {
    id: "balance_change_from_activity.itemized.1",
    name: "Balance change from activity itemized",
    defaultColumns: [
      "balance_transaction_id",
      "created_utc",
      "available_on_utc",
      "currency",
      "gross",
      "fee",
      "net",
      "reporting_category",
      "description",
    ],
    rows: (during) =>
      during
        .filter((transaction) => transaction.reporting_category !== "payout")
        .map((each) => ({
          balance_transaction_id: each.id,
          created_utc: utc(each.created),
          available_on_utc: utc(each.available_on),
          currency: each.currency,
          gross: major(each.amount),
          fee: major(each.fee),
          net: major(each.net),
          reporting_category: each.reporting_category,
          description: each.description ?? "",
        })),
  },
];

/** `columns` of `rows` as a CSV file, quoted where a value needs it. */
export function toCsv(columns: readonly string[], rows: readonly Row[]): string {
  const cell = (value: string | number | undefined) => {
    const text = value === undefined ? "" : String(value);
    return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return [columns.join(","), ...rows.map((row) => columns.map((column) => cell(row[column])).join(","))]
    .map((line) => `${line}\n`)
    .join("");
}

function currenciesOf(transactions: readonly Stripe.BalanceTransaction[]): string[] {
  return [...new Set(transactions.map((each) => each.currency))].sort();
}

function total(transactions: readonly Stripe.BalanceTransaction[]): number {
  return transactions.reduce((sum, each) => sum + each.net, 0);
}

function major(amount: number): string {
  return (amount / 100).toFixed(2);
}

function utc(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace("T", " ").slice(0, 19);
}
