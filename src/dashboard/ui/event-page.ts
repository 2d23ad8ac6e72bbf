import type { DeliveryRow, EventSummary, RunRow } from "../../inbox/event-queries.js";
import type { UiKit } from "./kit.js";

type EventDetail = EventSummary & { payload: unknown; deliveries: DeliveryRow[]; runs: RunRow[] };
type ReplayRequest = { event_id: string; handler?: string; all?: boolean; dry_run?: boolean };
type ReplayPlan = { runs: number; events: number; handlers: Array<{ handler: string; runs: number }> };

/** One event: its summary, handler runs (with errors and stacks), delivery attempts, payload, and replay buttons. */
export function eventPageView(kit: UiKit, root: HTMLElement, id: string): () => void {
  const { el } = kit;
  const table = (headings: string[], body: HTMLElement[]) =>
    el("table", {}, el("thead", {}, el("tr", {}, ...headings.map((h) => el("th", {}, h)))), el("tbody", {}, ...body));

  // Replay asks first: a dry run names the handlers that will run again, and nothing runs until confirmed.
  const confirmBar = el("div", { class: "replay-bar", "data-testid": "replay-bar" });
  const button = (label: string, testId: string, onclick: () => Promise<void>) =>
    el("button", { type: "button", "data-testid": testId, onclick: kit.action(onclick) }, label);
  const cancel = () => el("button", { type: "button", onclick: () => confirmBar.replaceChildren() }, "Cancel");
  const post = (body: ReplayRequest) => kit.api<ReplayPlan>("/api/replay", { method: "POST", body });
  const planReplay = async (body: ReplayRequest) => {
    const plan = await post({ ...body, dry_run: true });
    const names = plan.handlers.map((line) => line.handler).join(", ");
    if (plan.runs + plan.events === 0) {
      confirmBar.replaceChildren(
        el("span", {}, "Nothing to replay: no run failed or died (runs pending or running are left to finish). "),
        body.all || body.handler
          ? ""
          : button("Replay every handler…", "replay-all", () => planReplay({ ...body, all: true })),
        cancel(),
      );
      return;
    }
    confirmBar.replaceChildren(
      el(
        "span",
        { "data-testid": "replay-plan" },
        plan.runs > 0 ? `Runs again: ${names}. ` : "",
        plan.events > 0 ? "No handler matched it before: it is matched against the handlers known now. " : "",
      ),
      button(plan.runs > 0 ? `Replay ${plan.runs} run(s)` : "Replay", "replay-confirm", async () => {
        const done = await post(body);
        confirmBar.replaceChildren();
        const ran = done.handlers.map((line) => line.handler).join(", ");
        kit.notice(
          `Replayed${ran ? `: ${ran}` : ""}. ${done.runs} run(s) and ${done.events} event(s) sent back to the workers.`,
          "info",
        );
        await load();
      }),
      cancel(),
    );
  };

  let shown = "";
  const load = async () => {
    const event = await kit.api<EventDetail>(`/api/events/${encodeURIComponent(id)}`);
    // Re-render only on a change, so that a refresh does not fold what the reader unfolded.
    const text = JSON.stringify(event);
    if (text === shown) return;
    shown = text;
    const facts: Array<[string, Node | string]> = [
      ["type", event.type],
      ["status", kit.statusBadge(event.status)],
      ["created", kit.time(event.created)],
      ["received", kit.time(event.received_at)],
      [
        "object",
        event.object_id ? el("a", { href: `#/object/${encodeURIComponent(event.object_id)}` }, event.object_id) : "",
      ],
      ["account", event.account ?? "platform"],
      ["mode", event.livemode ? "live" : "test"],
    ];
    root.replaceChildren(
      el("p", {}, el("a", { href: "#/" }, "← events")),
      el("h1", {}, event.id),
      el(
        "dl",
        { class: "facts", "data-testid": "event-facts" },
        ...facts.flatMap(([term, value]) => [el("dt", {}, term), el("dd", {}, value)]),
      ),
      button("Replay this event…", "replay-event", () => planReplay({ event_id: event.id })),
      confirmBar,
      el("h2", {}, "Handler runs"),
      event.runs.length === 0
        ? el("p", {}, event.status === "no_handler" ? "No handler matched this event." : "Not dispatched yet.")
        : table(
            ["handler", "status", "attempts", "next / last run", "last error", ""],
            event.runs.map((run) =>
              el(
                "tr",
                { "data-handler": run.handler },
                el("td", {}, run.handler),
                el("td", {}, kit.statusBadge(run.status)),
                el(
                  "td",
                  {},
                  // Attempts go on counting across replays; each replay gives the run its budget afresh.
                  run.replays > 0
                    ? `${run.attempts} (${run.attempts - run.attempts_before_replay} / ${run.max_attempts} since replay ${run.replays}, ${kit.time(run.replayed_at)})`
                    : `${run.attempts} / ${run.max_attempts}`,
                ),
                el("td", {}, kit.time(run.finished_at ?? run.run_at)),
                el(
                  "td",
                  {},
                  // A run keeps its last error after a later attempt succeeds: say it is history.
                  run.last_error && run.status === "succeeded"
                    ? `(before it succeeded) ${run.last_error}`
                    : (run.last_error ?? ""),
                  run.last_error_stack
                    ? el("details", {}, el("summary", {}, "stack"), el("pre", {}, run.last_error_stack))
                    : null,
                ),
                el(
                  "td",
                  {},
                  button("Replay handler…", "replay-handler", () =>
                    planReplay({ event_id: event.id, handler: run.handler }),
                  ),
                ),
              ),
            ),
          ),
      el("h2", {}, "Deliveries"),
      table(
        ["#", "received", "outcome", "reason", "bytes"],
        event.deliveries.map((delivery) =>
          el(
            "tr",
            {},
            el("td", {}, delivery.id),
            el("td", {}, kit.time(delivery.received_at)),
            el("td", {}, delivery.outcome),
            el("td", {}, delivery.error_code ?? ""),
            el("td", {}, String(delivery.body_bytes)),
          ),
        ),
      ),
      el("h2", {}, "Payload"),
      el("div", { class: "json", "data-testid": "payload" }, kit.json(event.payload)),
    );
  };
  return kit.every(kit.pollMs, load);
}
