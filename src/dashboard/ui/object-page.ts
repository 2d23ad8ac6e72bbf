import type { UiKit } from "./kit.js";

interface ObjectDetail {
  id: string;
  object_type: string | null;
  mirror: { schema: string; table: string; rows: Array<Record<string, unknown>> } | null;
  events: Array<{ id: string; type: string; created: string; status: string; received_at: string }>;
}

/** One Stripe object: its mirror row (when the mirror is on) and the events that shaped it. */
export function objectPageView(kit: UiKit, root: HTMLElement, id: string): () => void {
  const { el } = kit;
  let shown = "";
  const load = async () => {
    const object = await kit.api<ObjectDetail>(`/api/objects/${encodeURIComponent(id)}`);
    const text = JSON.stringify(object);
    if (text === shown) return;
    shown = text;
    const mirror = object.mirror;
    root.replaceChildren(
      el("p", {}, el("a", { href: "#/" }, "← events")),
      el("h1", {}, object.id),
      el("p", {}, object.object_type ?? "No stored event names this object."),
      el("h2", {}, "Mirror"),
      mirror === null
        ? el("p", { class: "hint" }, "The mirror is off (serve --mirror), or does not keep this type.")
        : mirror.rows.length === 0
          ? el("p", { class: "hint" }, `No row in ${mirror.schema}.${mirror.table} yet.`)
          : el(
              "div",
              { "data-testid": "mirror-rows" },
              ...mirror.rows.map((row) =>
                el(
                  "div",
                  { class: "json" },
                  el("p", {}, `${mirror.schema}.${mirror.table}`, row.deleted === true ? " (deleted)" : ""),
                  kit.json(row),
                ),
              ),
            ),
      el("h2", {}, "Events about it"),
      el(
        "table",
        { class: "events" },
        el("thead", {}, el("tr", {}, ...["event", "type", "status", "created"].map((h) => el("th", {}, h)))),
        el(
          "tbody",
          {},
          ...object.events.map((event) =>
            el(
              "tr",
              { "data-event-id": event.id },
              el("td", {}, el("a", { href: `#/event/${encodeURIComponent(event.id)}` }, event.id)),
              el("td", {}, event.type),
              el("td", {}, kit.statusBadge(event.status)),
              el("td", {}, kit.time(event.created)),
            ),
          ),
        ),
      ),
    );
  };
  return kit.every(kit.pollMs, load);
}
