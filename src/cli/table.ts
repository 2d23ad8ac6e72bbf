/** One cell per column; null and undefined print as an empty cell. */
export type TableRow = Record<string, string | number | boolean | null | undefined>;

/**
 * Rows as aligned columns under a header, for people (scripts read `--json`). Columns whose cells are all empty
 * are left out; the last column is not padded, so no line ends in spaces.
 */
export function formatTable(rows: readonly TableRow[], columns: readonly string[]): string {
  const text = (value: TableRow[string]) => (value === null || value === undefined ? "" : String(value));
  const shown = columns.filter((column) => rows.some((row) => text(row[column]) !== ""));
  const widths = shown.map((column) => Math.max(column.length, ...rows.map((row) => text(row[column]).length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(shown), ...rows.map((row) => line(shown.map((column) => text(row[column]))))].join("\n");
}
