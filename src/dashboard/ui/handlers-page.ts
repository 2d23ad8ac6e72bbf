import type { UiKit } from "./kit.js";

interface HandlerLine {
  handler: string;
  paused: { paused_at: string; paused_by: string; reason: string | null } | null;
  waiting: number;
}

/** Every handler with its waiting runs, paused or not, with a button to pause or resume it. */
export function handlersView(kit: UiKit, root: HTMLElement): () => void {
  const { el } = kit;
  const body = el("tbody", {});
  root.replaceChildren(
    el("h1", {}, "Handlers"),
    el(
      "p",
      { class: "hint" },
      "A paused handler's events keep arriving and wait; runs already started finish. Resuming runs the waiting ones.",
    ),
    el(
      "table",
      { class: "handlers" },
      el(
        "thead",
        {},
        el("tr", {}, ...["handler", "state", "waiting runs", "since", "reason", ""].map((h) => el("th", {}, h))),
      ),
      body,
    ),
  );

  const act = async (line: HandlerLine) => {
    const action = line.paused ? "resume" : "pause";
    await kit.api(`/api/handlers/${encodeURIComponent(line.handler)}/${action}`, { method: "POST", body: {} });
    kit.notice(`${line.handler} ${line.paused ? "resumed" : "paused"}.`, "info");
    await load();
  };

  let shown = "";
  const load = async () => {
    const { data } = await kit.api<{ data: HandlerLine[] }>("/api/handlers");
    const text = JSON.stringify(data);
    if (text === shown) return;
    shown = text;
    if (data.length === 0) {
      body.replaceChildren(el("tr", {}, el("td", { class: "empty", colspan: 6 }, "No handlers yet.")));
      return;
    }
    body.replaceChildren(
      ...data.map((line) =>
        el(
          "tr",
          { "data-handler": line.handler },
          el("td", {}, line.handler),
          el(
            "td",
            {},
            kit.statusBadge(line.paused ? "paused" : "active"),
            line.paused?.paused_by === "circuit_breaker" ? " by the circuit breaker" : "",
          ),
          el("td", { "data-testid": "waiting" }, String(line.waiting)),
          el("td", {}, kit.time(line.paused?.paused_at ?? null)),
          el("td", {}, line.paused?.reason ?? ""),
          el(
            "td",
            {},
            el(
              "button",
              {
                type: "button",
                "data-testid": line.paused ? "resume" : "pause",
                onclick: kit.action(() => act(line)),
              },
              line.paused ? "Resume" : "Pause",
            ),
          ),
        ),
      ),
    );
  };
  return kit.every(kit.pollMs, load);
}
