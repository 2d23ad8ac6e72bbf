// Pages through a list of `size` customers, 100 a page, newest first, with `starting_after`: the time of each
// page at the start and at the end of the walk, and the walk's total.

import { Agent, request } from "node:http";
import { performance } from "node:perf_hooks";

const agent = new Agent({ keepAlive: true, maxSockets: 8 });
const AUTH = "Bearer sk_test_bench";

/** Creates customers until the emulator holds `size`, 8 requests in flight. */
export async function fillTo(url, have, size) {
  let next = have;
  const worker = async () => {
    while (next < size) {
      next++;
      const { status } = await call(url, "POST", "/v1/customers", `email=fill${next}%40example.com`);
      if (status !== 200) throw new Error(`customers.create answered ${status}`);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

export async function walk(url, size) {
  const pageMs = [];
  let after;
  let seen = 0;
  const started = performance.now();
  for (;;) {
    const query = `limit=100${after ? `&starting_after=${after}` : ""}`;
    const pageStarted = performance.now();
    const { status, body } = await call(url, "GET", `/v1/customers?${query}`);
    pageMs.push(performance.now() - pageStarted);
    if (status !== 200) throw new Error(`customers.list answered ${status}: ${body.slice(0, 200)}`);
    const page = JSON.parse(body);
    seen += page.data.length;
    if (!page.has_more) break;
    after = page.data.at(-1).id;
  }
  const totalMs = performance.now() - started;
  if (seen !== size) throw new Error(`walked ${seen} customers, expected ${size}`);
  const mean = (values) => values.reduce((sum, value) => sum + value, 0) / values.length;
  return {
    size,
    pages: pageMs.length,
    firstPagesMs: mean(pageMs.slice(0, 10)),
    lastPagesMs: mean(pageMs.slice(-10)),
    totalMs,
  };
}

function call(url, method, path, body) {
  return new Promise((resolve, reject) => {
    const target = new URL(path, url);
    const req = request(
      target,
      {
        method,
        agent,
        headers: {
          authorization: AUTH,
          ...(body !== undefined && { "content-type": "application/x-www-form-urlencoded" }),
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => {
          text += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode, body: text }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}
