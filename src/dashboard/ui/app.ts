import type { UiKit } from "./kit.js";

export interface Views {
  list(kit: UiKit, root: HTMLElement, deadOnly: boolean): () => void;
  event(kit: UiKit, root: HTMLElement, id: string): () => void;
  health(kit: UiKit, root: HTMLElement): () => void;
  object(kit: UiKit, root: HTMLElement, id: string): () => void;
  handlers(kit: UiKit, root: HTMLElement): () => void;
}

/** Hash routes (`#/`, `#/event/<id>`, `#/dead`, `#/health`, `#/handlers`): the server serves one page, the browser the rest. */
export function startDashboard(kit: UiKit, views: Views): void {
  const root = document.getElementById("view");
  if (!root) return;
  let leave: (() => void) | null = null;
  const show = () => {
    leave?.();
    kit.notice(null);
    const route = location.hash.replace(/^#/, "") || "/";
    const eventId = /^\/event\/(.+)$/.exec(route)?.[1];
    const objectId = /^\/object\/(.+)$/.exec(route)?.[1];
    document.querySelectorAll("nav a").forEach((link) => {
      link.classList.toggle("active", link.getAttribute("href") === `#${route}`);
    });
    if (eventId) leave = views.event(kit, root, decodeURIComponent(eventId));
    else if (objectId) leave = views.object(kit, root, decodeURIComponent(objectId));
    else if (route === "/dead") leave = views.list(kit, root, true);
    else if (route === "/health") leave = views.health(kit, root);
    else if (route === "/handlers") leave = views.handlers(kit, root);
    else leave = views.list(kit, root, false);
    // Again on every route: the answer changes once a token is entered.
    kit
      .api<{ mode: string; message: string }>("/api/access")
      .then((access) => {
        const banner = document.getElementById("access");
        if (banner) banner.textContent = access.message;
      })
      .catch(() => {});
  };
  window.addEventListener("hashchange", show);
  show();
}
