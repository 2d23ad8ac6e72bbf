import type Stripe from "stripe";
import type { EmulatorCore, Route } from "../../core.js";
import { invalidParam, noSuch } from "../../errors.js";
import { createdFilter, paginate } from "../../list.js";
import { optionalObject, type Params, requireString } from "../../params.js";
import { stripeId } from "../../store.js";
import { REPORT_TYPES, type ReportDefinition, toCsv } from "./report-types.js";

type ReportRun = Stripe.Reporting.ReportRun;

/** The emulator keeps every account's data since Stripe's first API version, 2011-01-01. */
const DATA_AVAILABLE_START = Date.UTC(2011, 0, 1) / 1000;
const YEAR = 365 * 86_400;

/**
 * `/v1/reporting`: the report types and their runs. Stripe answers a new run `pending` and sends
 * `reporting.report_run.succeeded` once its CSV file is ready; the emulator writes the file at once, so the
 * answer is the run as it was asked for and a retrieve already shows it `succeeded` with its file in `result`.
 */
export function reportingRoutes(core: EmulatorCore): Route[] {
  const definition = (id: string, param: string) => {
    const found = REPORT_TYPES.find((type) => type.id === id);
    if (!found) throw noSuch("report type", id, param);
    return found;
  };
  const reportType = (type: ReportDefinition): Stripe.Reporting.ReportType => ({
    id: type.id,
    object: "reporting.report_type",
    data_available_end: core.now(),
    data_available_start: DATA_AVAILABLE_START,
    default_columns: type.defaultColumns,
    livemode: false,
    name: type.name,
    updated: core.now(),
    version: 1,
  });
  return [
    {
      method: "GET",
      pattern: "/v1/reporting/report_types",
      handler: ({ url }) => ({ object: "list", data: REPORT_TYPES.map(reportType), has_more: false, url }),
    },
    {
      method: "GET",
      pattern: "/v1/reporting/report_types/:id",
      handler: ({ path }) => reportType(definition(path.id as string, "id")),
    },
    {
      method: "POST",
      pattern: "/v1/reporting/report_runs",
      handler: ({ params, request }) => {
        const type = definition(requireString(params, "report_type"), "report_type");
        const parameters = parametersFrom(optionalObject(params, "parameters") ?? {}, type, core.now());
        const now = core.now();
        const run = core.store.insert<ReportRun>({
          id: stripeId("frr"),
          object: "reporting.report_run",
          created: now,
          error: null,
          livemode: false,
          parameters,
          report_type: type.id,
          result: null,
          status: "pending",
          succeeded_at: null,
        });
        const answer = structuredClone(run);
        const file = core.store.insert<Stripe.File>(reportFile(core, run, type));
        core.store.update(run, { status: "succeeded", result: file, succeeded_at: now });
        core.events.emit("reporting.report_run.succeeded", run, request);
        return answer;
      },
    },
    {
      method: "GET",
      pattern: "/v1/reporting/report_runs/:id",
      handler: ({ path }) => core.store.get<ReportRun>("reporting.report_run", path.id as string),
    },
    {
      method: "GET",
      pattern: "/v1/reporting/report_runs",
      handler: ({ params, url }) => {
        const inRange = createdFilter(params);
        const runs = core.store.query<ReportRun>("reporting.report_run").filter((run) => inRange(run.created));
        return paginate(runs, params, url);
      },
    },
  ];
}

/** The run's `parameters` as the run shows them, checked against the report's columns and available data. */
function parametersFrom(given: Params, type: ReportDefinition, now: number): Stripe.Reporting.ReportRun.Parameters {
  const parameters: Stripe.Reporting.ReportRun.Parameters = {};
  for (const name of ["currency", "payout", "reporting_category", "timezone", "connected_account"] as const) {
    if (typeof given[name] === "string") parameters[name] = given[name] as string;
  }
  const start = given.interval_start === undefined ? DATA_AVAILABLE_START : Number(given.interval_start);
  const end = given.interval_end === undefined ? now : Number(given.interval_end);
  if (start < DATA_AVAILABLE_START) {
    throw invalidParam(
      "parameters[interval_start]",
      `interval_start must be on or after the report type's data_available_start (${DATA_AVAILABLE_START}).`,
    );
  }
  if (end > now) {
    throw invalidParam(
      "parameters[interval_end]",
      `interval_end must be on or before the report type's data_available_end (${now}).`,
    );
  }
  if (start >= end) throw invalidParam("parameters[interval_end]", "interval_end must be after interval_start.");
  if (given.interval_start !== undefined) parameters.interval_start = start;
  if (given.interval_end !== undefined) parameters.interval_end = end;
  if (given.columns !== undefined) {
    const columns = Object.values(given.columns as object) as string[];
    const unknown = columns.find((column) => !type.defaultColumns.includes(column));
    if (unknown !== undefined) {
      throw invalidParam(
        "parameters[columns]",
        `${unknown} is not a column of ${type.id}: ${type.defaultColumns.join(", ")}.`,
      );
    }
    parameters.columns = columns;
  }
  return parameters;
}

/** The run's CSV, from the balance transactions of its interval, as the `finance_report_run` file Stripe keeps. */
function reportFile(core: EmulatorCore, run: ReportRun, type: ReportDefinition): Stripe.File {
  const { interval_start: start = DATA_AVAILABLE_START, interval_end: end = run.created } = run.parameters;
  const { currency, reporting_category: category } = run.parameters;
  const transactions = core.store
    .all<Stripe.BalanceTransaction>("balance_transaction")
    .filter((each) => (currency === undefined || each.currency === currency) && each.created < end)
    .filter((each) => category === undefined || each.reporting_category === category)
    .reverse();
  const during = transactions.filter((each) => each.created >= start);
  const before = transactions.filter((each) => each.created < start);
  const csv = toCsv(run.parameters.columns ?? type.defaultColumns, type.rows(during, before));
  const id = stripeId("file");
  return {
    id,
    object: "file",
    created: run.created,
    expires_at: run.created + YEAR,
    filename: `${run.id}.csv`,
    purpose: "finance_report_run",
    size: Buffer.byteLength(csv),
    title: `FinanceReportRun ${run.id}`,
    type: "csv",
    url: `https://files.stripe.com/v1/files/${id}/contents`,
  };
}
