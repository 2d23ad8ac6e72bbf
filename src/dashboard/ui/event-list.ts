import type { EventSummary } from "../../inbox/event-queries.js";
import type { UiKit } from "./kit.js";

type EventRow = EventSummary;

/** The event list (or, with `deadOnly`, the dead-letter view): filters, search, live refresh, replay by filter. */
export function eventListView(kit: UiKit, root: HTMLElement, deadOnly: boolean): () => void {
  const { el } = kit;
  const field = (name: string, label: string, input: HTMLElement) =>
    el("label", { class: "field" }, label, Object.assign(input, { name }));
  const options = (values: string[]) => values.map((value) => el("option", { value }, value || "any"));
  const filters = el(
    "form",
    { class: "filters", "data-testid": "filters" },
    field("q", "search", el("input", { type: "search", placeholder: "evt_... or object id" })),
    field("type", "type", el("input", { placeholder: "invoice.* " })),
    deadOnly
      ? null
      : field(
          "status",
          "status",
          el("select", {}, ...options(["", "pending", "succeeded", "failed", "dead", "no_handler"])),
        ),
    field("since", "created from", el("input", { type: "datetime-local" })),
    field("until", "created before", el("input", { type: "datetime-local" })),
    field("object_id", "object id", el("input", { placeholder: "cus_..." })),
    field("account", "account", el("input", { placeholder: "acct_..." })),
    field("livemode", "mode", el("select", {}, ...options(["", "true", "false"]))),
  ) as HTMLFormElement;
  const rows = el("tbody");
  const more = el("button", { type: "button", hidden: true, onclick: kit.action(() => loadMore()) }, "Load more");
  const replayBar = el("div", { class: "replay-bar" });
  root.replaceChildren(
    el("h1", {}, deadOnly ? "Dead letters" : "Events"),
    deadOnly ? el("p", {}, "Events with a handler run that used up its attempts.") : "",
    filters,
    replayBar,
    el(
      "table",
      { class: "events" },
      el(
        "thead",
        {},
        el(
          "tr",
          {},
          ...["event", "type", "status", "created", "received", "account", "mode"].map((h) => el("th", {}, h)),
        ),
      ),
      rows,
    ),
    more,
  );

  /** The filter as API parameters; datetime-local fields are local times. */
  const current = () => {
    const params = new URLSearchParams();
    new FormData(filters).forEach((value, name) => {
      const text = String(value).trim();
      if (text) params.set(name, name === "since" || name === "until" ? new Date(text).toISOString() : text);
    });
    if (deadOnly) params.set("status", "dead");
    return params;
  };

  let firstPage: EventRow[] = [];
  let laterPages: EventRow[] = [];
  let cursor: string | null = null;
  const render = () => {
    const seen = new Set<string>();
    const shown = [...firstPage, ...laterPages].filter((row) => !seen.has(row.id) && seen.add(row.id));
    rows.replaceChildren(
      ...shown.map((row) =>
        el(
          "tr",
          { "data-event-id": row.id },
          el("td", {}, el("a", { href: `#/event/${encodeURIComponent(row.id)}` }, row.id)),
          el("td", {}, row.type),
          el("td", {}, kit.statusBadge(row.status)),
          el("td", {}, kit.time(row.created)),
          el("td", {}, kit.time(row.received_at)),
          el("td", {}, row.account ?? "platform"),
          el("td", {}, row.livemode ? "live" : "test"),
        ),
      ),
    );
    if (shown.length === 0) rows.append(el("tr", {}, el("td", { colspan: 7, class: "empty" }, "No events match.")));
    more.hidden = cursor === null;
  };
  const loadFirst = async () => {
    const page = await kit.api<{ data: EventRow[]; next_cursor: string | null }>(`/api/events?${current()}`);
    firstPage = page.data;
    if (laterPages.length === 0) cursor = page.next_cursor;
    render();
  };
  const loadMore = async () => {
    if (!cursor) return;
    const params = current();
    params.set("cursor", cursor);
    const page = await kit.api<{ data: EventRow[]; next_cursor: string | null }>(`/api/events?${params}`);
    laterPages = [...laterPages, ...page.data];
    cursor = page.next_cursor;
    render();
  };

  // Replay by filter: only the filters replay applies exactly; it counts first and asks for confirmation.
  const replayFilter = () => {
    const params = current();
    const status = params.get("status");
    const blocked = ["q", "object_id", "account", "livemode"].filter((name) => params.has(name));
    if (blocked.length > 0) return { error: `Replay by filter cannot use ${blocked.join(", ")}.` };
    if (!status || !["failed", "dead", "succeeded"].includes(status)) {
      return { error: "Choose status failed, dead or succeeded to replay by filter." };
    }
    const filter: Record<string, string> = { status };
    for (const name of ["type", "since", "until"]) {
      const value = params.get(name);
      if (value) filter[name] = value;
    }
    return { filter };
  };
  const replayMatching = async (filter: Record<string, string>) => {
    const done = await kit.api<{ runs: number }>("/api/replay", { method: "POST", body: filter });
    kit.notice(`${done.runs} run(s) sent back to the workers.`, "info");
    showReplay();
    await loadFirst();
  };
  const countMatching = async (filter: Record<string, string>) => {
    const count = await kit.api<{ runs: number; handlers: Array<{ handler: string; runs: number }> }>("/api/replay", {
      method: "POST",
      body: { ...filter, dry_run: true },
    });
    const names = count.handlers.map((line) => `${line.handler} (${line.runs})`).join(", ");
    replayBar.replaceChildren(
      el("span", { "data-testid": "replay-plan" }, `${count.runs} run(s) match${names ? `: ${names}` : ""}. `),
      el(
        "button",
        { type: "button", "data-testid": "replay-confirm", onclick: kit.action(() => replayMatching(filter)) },
        `Replay ${count.runs} run(s)`,
      ),
      el("button", { type: "button", onclick: showReplay }, "Cancel"),
    );
  };
  const showReplay = () => {
    const { filter, error } = replayFilter();
    const button = el(
      "button",
      {
        type: "button",
        disabled: error !== undefined,
        title: error ?? "",
        "data-testid": "replay-filter",
        onclick: filter && kit.action(() => countMatching(filter)),
      },
      "Replay matching runs…",
    );
    replayBar.replaceChildren(button, error ? el("span", { class: "hint" }, error) : "");
  };

  let typing: number | undefined;
  filters.addEventListener("input", () => {
    window.clearTimeout(typing);
    typing = window.setTimeout(() => {
      laterPages = [];
      cursor = null;
      showReplay();
      kit.action(loadFirst)();
    }, 250);
  });
  filters.addEventListener("submit", (event) => event.preventDefault());
  showReplay();
  return kit.every(kit.pollMs, loadFirst);
}
