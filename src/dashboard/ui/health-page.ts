import type { QueueState } from "../../metrics/queue-state.js";
import type { InboxStorage } from "../../retention/storage.js";
import type { HealthSample } from "../health-history.js";
import type { UiKit } from "./kit.js";

/** The health page: the queue now, the inbox's size and what retention will remove, and charts of this server's samples over time (inline SVG). */
export function healthView(kit: UiKit, root: HTMLElement): () => void {
  const { el } = kit;
  const SVG = "http://www.w3.org/2000/svg";
  const WIDTH = 320;
  const HEIGHT = 120;
  const COLORS = ["#635bff", "#e5424d", "#f5a623", "#09825d", "#0a7ea4", "#8e44ad"];
  const svg = (tag: string, attributes: Record<string, string | number>) => {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
    return node;
  };

  /** A line per series over the samples' times, scaled to the largest value; a gap where a value is null. */
  const chart = (
    key: string,
    title: string,
    unit: string,
    series: Array<{ name: string; values: Array<number | null> }>,
  ) => {
    const all = series.flatMap((line) => line.values.filter((value): value is number => value !== null));
    const top = Math.max(0, ...all);
    const scale = top > 0 ? top : 1;
    const count = Math.max(2, ...series.map((line) => line.values.length));
    const picture = svg("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, width: WIDTH, height: HEIGHT, role: "img" });
    picture.append(svg("rect", { x: 0, y: 0, width: WIDTH, height: HEIGHT, fill: "#fafbfc", stroke: "#e3e8ee" }));
    series.forEach((line, index) => {
      const points = line.values
        .map((value, i) =>
          value === null
            ? null
            : `${((i / (count - 1)) * WIDTH).toFixed(1)},${(HEIGHT - 4 - (value / scale) * (HEIGHT - 8)).toFixed(1)}`,
        )
        .filter((point): point is string => point !== null);
      if (points.length === 0) return;
      const color = COLORS[index % COLORS.length] ?? "#635bff";
      picture.append(
        svg("polyline", {
          points: points.join(" "),
          fill: "none",
          stroke: color,
          "stroke-width": 2,
          "data-series": line.name,
        }),
      );
    });
    const latest = series.map((line) => `${line.name} ${line.values.at(-1) ?? "–"}`).join(", ");
    return el(
      "figure",
      { class: "chart", "data-chart": key },
      el(
        "figcaption",
        {},
        title,
        el("span", { class: "hint" }, ` (max ${Number(top.toPrecision(3))} ${unit}; now: ${latest})`),
      ),
      picture,
    );
  };

  const load = async () => {
    const stats = await kit.api<{ queue: QueueState | null; history: HealthSample[]; storage: InboxStorage | null }>(
      "/api/stats",
    );
    const { storage } = stats;
    const megabytes = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MB`;
    const events = storage?.tables.find((table) => table.name === "events");
    const next = storage?.nextPrune;
    const samples = stats.history;
    const perMinute = (value: number, sample: HealthSample) =>
      Math.round((value / sample.intervalSeconds) * 60 * 10) / 10;
    const reasons = [...new Set(samples.flatMap((sample) => Object.keys(sample.rejections)))];
    const queue = stats.queue;
    root.replaceChildren(
      el("h1", {}, "Health"),
      queue
        ? el(
            "dl",
            { class: "facts", "data-testid": "queue" },
            ...[
              ["awaiting fan-out", queue.eventsAwaitingFanOut],
              ["runs pending", queue.runs.pending],
              ["runs running", queue.runs.running],
              ["runs waiting to retry", queue.runs.failed],
              ["dead runs", queue.runs.dead],
              ["oldest pending", `${Math.round(queue.oldestPendingSeconds)} s`],
            ].flatMap(([term, value]) => [el("dt", {}, String(term)), el("dd", {}, String(value))]),
          )
        : el("p", { class: "notice error" }, "The database did not answer in time."),
      storage
        ? el(
            "dl",
            { class: "facts", "data-testid": "storage" },
            ...[
              ["inbox size", megabytes(storage.tables.reduce((sum, table) => sum + table.bytes, 0))],
              ["events kept", `${events?.rows ?? 0} (${megabytes(events?.bytes ?? 0)})`],
              ["oldest event", storage.oldestEventAt ? kit.time(storage.oldestEventAt) : "none"],
              ["retention", storage.retention],
              [
                "next prune removes",
                next
                  ? `${next.events} events, ${next.runs} runs, ${next.deliveries} deliveries`
                  : "nothing: retention is off",
              ],
            ].flatMap(([term, value]) => [el("dt", {}, String(term)), el("dd", {}, String(value))]),
          )
        : "",
      el(
        "p",
        { class: "hint" },
        samples.length === 0
          ? "Collecting the first samples…"
          : `This server's samples from ${kit.time(samples[0]?.at ?? null)} to ${kit.time(samples.at(-1)?.at ?? null)}, one every ${Math.round(samples.at(-1)?.intervalSeconds ?? 0)} s; the queue is read from the database.`,
      ),
      el(
        "div",
        { class: "charts" },
        chart("deliveries", "Deliveries per minute", "/min", [
          { name: "acked", values: samples.map((s) => perMinute(s.deliveries, s)) },
        ]),
        chart(
          "rejections",
          "Rejections per minute by reason",
          "/min",
          reasons.length === 0
            ? [{ name: "none", values: samples.map(() => 0) }]
            : reasons.map((reason) => ({
                name: reason,
                values: samples.map((s) => perMinute(s.rejections[reason] ?? 0, s)),
              })),
        ),
        chart("pending", "Pending depth", "events and runs", [
          { name: "pending", values: samples.map((s) => s.pending) },
        ]),
        chart("oldest", "Oldest pending age", "s", [
          { name: "age", values: samples.map((s) => s.oldestPendingSeconds) },
        ]),
        chart("failures", "Handler failures per minute", "/min", [
          { name: "failures", values: samples.map((s) => perMinute(s.handlerFailures, s)) },
        ]),
        chart("latency", "Ack latency p99", "s", [{ name: "p99", values: samples.map((s) => s.ackP99Seconds) }]),
      ),
    );
  };
  return kit.every(kit.pollMs, load);
}
