export type CheckStatus = "ok" | "warn" | "fail";

/** One line of `doctor`: what was checked, how it went, and what to do about it. */
export interface CheckResult {
  check: string;
  status: CheckStatus;
  message: string;
}

export const ok = (check: string, message: string): CheckResult => ({ check, status: "ok", message });
export const warn = (check: string, message: string): CheckResult => ({ check, status: "warn", message });
export const fail = (check: string, message: string): CheckResult => ({ check, status: "fail", message });

const RANK: Record<CheckStatus, number> = { ok: 0, warn: 1, fail: 2 };
const COLOUR: Record<CheckStatus, string> = { ok: "\x1b[32m", warn: "\x1b[33m", fail: "\x1b[31m" };

export function overallStatus(results: readonly CheckResult[]): CheckStatus {
  return results.reduce<CheckStatus>((worst, { status }) => (RANK[status] > RANK[worst] ? status : worst), "ok");
}

/** One aligned line per check; the status coloured on a terminal unless NO_COLOR is set. */
export function formatReport(results: readonly CheckResult[], colour: boolean): string {
  const width = Math.max(...results.map(({ check }) => check.length));
  return results
    .map(({ check, status, message }) => {
      const label = status.padEnd(4);
      return `${colour ? `${COLOUR[status]}${label}\x1b[0m` : label}  ${check.padEnd(width)}  ${message}`;
    })
    .join("\n");
}

export function reportJson(results: readonly CheckResult[]): string {
  return JSON.stringify({ status: overallStatus(results), checks: results }, null, 2);
}
