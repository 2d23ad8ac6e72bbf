/**
 * Browser code. Every function in src/dashboard/ui/ is sent to the browser as its own source text (see
 * assets.ts), so none may use an import or anything else from its module: only its parameters,
 * its own body and the browser's globals. Types are imported with `import type`, which leaves no trace.
 */

type Child = Node | string | null | undefined | false;

export interface UiKit {
  /** Creates an element; attributes starting with `on` are listeners, others are set as attributes. */
  el(tag: string, attributes?: Record<string, unknown>, ...children: Child[]): HTMLElement;
  /** Calls the admin API with the token, if any; throws an Error with the API's message when not 2xx. */
  api<T>(path: string, init?: { method?: string; body?: unknown }): Promise<T>;
  /** Calls `tick` now and every `ms` until the returned stop function is called, one call at a time. */
  every(ms: number, tick: () => Promise<void>): () => void;
  time(iso: string | null): string;
  statusBadge(status: string): HTMLElement;
  /** Collapsible JSON: objects and arrays are <details>, open for the first two levels. */
  json(value: unknown): Node;
  /** Shows an error or notice at the top of the page; null clears it. */
  notice(message: string | null, kind?: "error" | "info"): void;
  /** A click listener that runs `work` and shows its error, if any, at the top of the page. */
  action(work: () => Promise<void>): () => void;
  /** How often the pages refresh themselves. */
  readonly pollMs: number;
}

export function uiKit(): UiKit {
  const TOKEN_KEY = "stripe-inbox-admin-token";
  const el: UiKit["el"] = (tag, attributes = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (value === undefined || value === null || value === false) continue;
      if (name.startsWith("on") && typeof value === "function") {
        node.addEventListener(name.slice(2), value as EventListener);
      } else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child);
    }
    return node;
  };

  const noticeBar = document.getElementById("notice");
  const notice: UiKit["notice"] = (message, kind = "error") => {
    if (!noticeBar) return;
    noticeBar.textContent = message ?? "";
    noticeBar.className = message ? `notice ${kind}` : "notice";
  };

  const askForToken = () => {
    const form = document.getElementById("token-form");
    if (form) form.hidden = false;
  };

  const api = async <T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> => {
    const headers: Record<string, string> = { accept: "application/json" };
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token) headers.authorization = `Bearer ${token}`;
    if (init.body !== undefined) headers["content-type"] = "application/json";
    const response = await fetch(path, {
      method: init.method ?? "GET",
      headers,
      ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
      credentials: "omit",
    });
    const answer = (await response.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
    if (response.status === 401) askForToken();
    if (!response.ok) throw new Error(answer.error?.message ?? `The server answered ${response.status}.`);
    return answer as T;
  };

  const tokenForm = document.getElementById("token-form") as HTMLFormElement | null;
  tokenForm?.addEventListener("submit", (event) => {
    event.preventDefault();
    const input = tokenForm.querySelector("input");
    if (input?.value) sessionStorage.setItem(TOKEN_KEY, input.value);
    if (input) input.value = "";
    tokenForm.hidden = true;
    notice(null);
    window.dispatchEvent(new HashChangeEvent("hashchange"));
  });

  const showError = (error: unknown) => notice(error instanceof Error ? error.message : String(error));
  const action: UiKit["action"] = (work) => () => void work().catch(showError);

  const every: UiKit["every"] = (ms, tick) => {
    let stopped = false;
    let timer: number | undefined;
    const run = async () => {
      try {
        await tick();
      } catch (error) {
        showError(error);
      }
      if (!stopped) timer = window.setTimeout(run, ms);
    };
    void run();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  };

  const jsonTree = (value: unknown, depth: number): Node => {
    if (value === null || typeof value !== "object") {
      return el("span", { class: `json-${value === null ? "null" : typeof value}` }, JSON.stringify(value));
    }
    const entries = Array.isArray(value)
      ? value.map((item, index) => [String(index), item] as const)
      : Object.entries(value);
    return el(
      "details",
      { open: depth < 2 },
      el("summary", {}, Array.isArray(value) ? `[${entries.length}]` : `{${entries.length}}`),
      el(
        "ul",
        {},
        ...entries.map(([key, item]) =>
          el("li", {}, el("span", { class: "json-key" }, `${key}: `), jsonTree(item, depth + 1)),
        ),
      ),
    );
  };

  return {
    el,
    api,
    json: (value) => jsonTree(value, 0),
    every,
    notice,
    action,
    time: (iso) => (iso ? new Date(iso).toLocaleString(undefined, { hour12: false }) : ""),
    statusBadge: (status) => el("span", { class: `status status-${status}`, "data-status": status }, status),
    pollMs: Number(document.body.dataset.pollMs ?? 2000),
  };
}
