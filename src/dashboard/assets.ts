import { startDashboard } from "./ui/app.js";
import { eventListView } from "./ui/event-list.js";
import { eventPageView } from "./ui/event-page.js";
import { handlersView } from "./ui/handlers-page.js";
import { healthView } from "./ui/health-page.js";
import { uiKit } from "./ui/kit.js";
import { objectPageView } from "./ui/object-page.js";

/**
 * The dashboard's three files. The browser code is typed, linted TypeScript in ui/, sent as the source text of its
 * functions (compiled by tsc for `dist`): no bundler, no separate build step, nothing to install.
 */
export function dashboardAssets(pollMs: number): Map<string, { type: string; body: string }> {
  const script = `"use strict";
const kit = (${uiKit.toString()})();
const views = { list: ${eventListView.toString()}, event: ${eventPageView.toString()}, health: ${healthView.toString()}, object: ${objectPageView.toString()}, handlers: ${handlersView.toString()} };
(${startDashboard.toString()})(kit, views);
`;
  return new Map([
    ["/", { type: "text/html; charset=utf-8", body: page(pollMs) }],
    ["/dashboard.js", { type: "text/javascript; charset=utf-8", body: script }],
    ["/dashboard.css", { type: "text/css; charset=utf-8", body: STYLE }],
    ["/favicon.svg", { type: "image/svg+xml", body: ICON }],
  ]);
}

const page = (pollMs: number) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>stripe-inbox</title>
<link rel="icon" href="/favicon.svg">
<link rel="stylesheet" href="/dashboard.css">
<script type="module" src="/dashboard.js"></script>
</head>
<body data-poll-ms="${Math.max(100, Math.round(pollMs))}">
<header>
  <strong>stripe-inbox</strong>
  <nav><a href="#/">Events</a> <a href="#/dead">Dead letters</a> <a href="#/handlers">Handlers</a> <a href="#/health">Health</a></nav>
  <span id="access" class="hint"></span>
</header>
<form id="token-form" hidden>
  <label>Admin token (STRIPE_INBOX_ADMIN_TOKEN) <input type="password" autocomplete="off" name="token"></label>
  <button type="submit">Use token</button>
</form>
<div id="notice" class="notice" role="status"></div>
<main id="view"></main>
</body>
</html>
`;

const ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#635bff"/><path d="M3 5h10v7H3z" fill="none" stroke="#fff" stroke-width="1.5"/></svg>`;

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1a1f36; background: #fff; }
header { display: flex; gap: 1.5rem; align-items: center; padding: .6rem 1rem; background: #f6f9fc; border-bottom: 1px solid #e3e8ee; }
nav a { margin-right: 1rem; color: #635bff; text-decoration: none; }
nav a.active { font-weight: 600; text-decoration: underline; }
main { padding: 1rem; }
h1 { font-size: 1.3rem; word-break: break-all; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #e3e8ee; vertical-align: top; }
td.empty { color: #697386; }
.filters { display: flex; flex-wrap: wrap; gap: .5rem 1rem; margin-bottom: .5rem; }
.field { display: flex; flex-direction: column; font-size: 12px; color: #697386; }
.status { padding: 0 .4rem; border-radius: 4px; background: #e3e8ee; }
.status-succeeded { background: #d7f7c2; } .status-failed { background: #fcedb9; }
.status-dead, .status-paused { background: #ffe7f2; color: #b3093c; } .status-pending, .status-running { background: #cff5f6; }
.notice { padding: 0 1rem; } .notice.error { background: #ffe7f2; padding: .5rem 1rem; } .notice.info { background: #d7f7c2; padding: .5rem 1rem; }
.hint { color: #697386; font-size: 12px; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
.facts dt { color: #697386; }
.json ul { list-style: none; margin: 0; padding-left: 1.2rem; } .json { font-family: ui-monospace, monospace; font-size: 12px; }
.json-key { color: #697386; } .json-string { color: #09825d; } .json-number { color: #0a7ea4; }
pre { white-space: pre-wrap; font-size: 12px; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(340px, 1fr)); gap: 1rem; }
.chart { margin: 0; } .chart figcaption { font-weight: 600; margin-bottom: .3rem; }
.replay-bar { margin: .5rem 0; display: flex; gap: .5rem; align-items: center; }
#token-form { padding: .5rem 1rem; background: #fcedb9; }
`;
