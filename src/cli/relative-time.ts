const UNITS: Array<[limitSeconds: number, divisor: number, unit: string]> = [
  [60, 1, "s"],
  [3_600, 60, "min"],
  [86_400, 3_600, "h"],
  [30 * 86_400, 86_400, "d"],
];

/** "just now", "42 s ago", "3 min ago", "5 h ago", "12 d ago", "in 3 min"; past 30 days, the date itself. */
export function relativeTime(iso: string | null | undefined, now: Date = new Date()): string {
  if (!iso) return "";
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const seconds = Math.round((now.getTime() - at.getTime()) / 1000);
  const size = Math.abs(seconds);
  if (size < 5) return "just now";
  for (const [limit, divisor, unit] of UNITS) {
    if (size < limit) {
      const amount = `${Math.floor(size / divisor)} ${unit}`;
      return seconds > 0 ? `${amount} ago` : `in ${amount}`;
    }
  }
  return at.toISOString().slice(0, 10);
}
