// The emulator's speed: customers.create requests/s against a bare node:http server in the same run, the cost of
// `--data`, and paging through a 10,000-object list. Prints figures; passes or fails on nothing but errors.
//   npm run build && npm run bench:emulator
//   BENCH_CONNECTIONS=16 BENCH_WARMUP=2 BENCH_DURATION=5 BENCH_LIST_SIZE=10000 BENCH_CPU_PROF=dir
import { createRate } from "./create-rate.mjs";
import { journalWriteCost } from "./journal-write.mjs";
import { fillTo, walk } from "./pagination.mjs";
import { startTarget } from "./targets.mjs";

const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);
const warmupSeconds = Number(process.env.BENCH_WARMUP ?? 2);
const durationSeconds = Number(process.env.BENCH_DURATION ?? 5);
const listSize = Number(process.env.BENCH_LIST_SIZE ?? 10_000);
const cpuProfileDir = process.env.BENCH_CPU_PROF;
const only = process.env.BENCH_ONLY?.split(",");

const round = (value, digits = 0) => Math.round(value * 10 ** digits) / 10 ** digits;

console.log(
  `customers.create over ${connections} keep-alive connections, ${durationSeconds} s after ${warmupSeconds} s of warm-up`,
);
const rates = {};
for (const name of ["bare", "memory", "data"]) {
  if (only && !only.includes(name)) continue;
  const target = await startTarget(name, { cpuProfileDir: name === "bare" ? undefined : cpuProfileDir });
  try {
    const result = await createRate(target.url, { connections, warmupSeconds, durationSeconds });
    rates[name] = result.rate;
    const failed = result.non2xx + result.errors;
    console.log(
      `  ${name.padEnd(7)} ${String(round(result.rate)).padStart(6)} req/s  p50 ${result.p50Ms} ms  p99 ${result.p99Ms} ms` +
        (failed > 0 ? `  FAILED ${failed} (${JSON.stringify(result.statuses)})` : ""),
    );
  } finally {
    await target.stop();
  }
}
if (rates.bare) {
  for (const name of ["memory", "data"]) {
    if (rates[name]) console.log(`  ${name} / bare: ${round(rates[name] / rates.bare, 2)}`);
  }
}

if (!only || only.includes("journal")) {
  const target = await startTarget("memory");
  try {
    const answer = await fetch(`${target.url}/v1/customers`, {
      method: "POST",
      headers: { authorization: "Bearer sk_test_bench", "content-type": "application/x-www-form-urlencoded" },
      body: "email=line%40example.com&name=Line",
    });
    const customer = await answer.json();
    // A customers.create line holds the customer and its customer.created event, about twice the customer.
    const line = `${JSON.stringify({
      w: [
        { a: null, o: customer },
        { a: null, o: { object: "event", data: { object: customer } } },
      ],
    })}\n`;
    const cost = journalWriteCost(line);
    console.log(
      `journal line of ${cost.bytes} bytes: append ${round(cost.appendUs, 1)} us, append + fdatasync ${round(cost.appendFsyncUs)} us`,
    );
  } finally {
    await target.stop();
  }
}

if (!only || only.includes("list")) {
  const target = await startTarget("memory");
  try {
    console.log(`customers.list, limit 100, walked with starting_after`);
    let have = 0;
    for (const size of [listSize / 10, listSize]) {
      await fillTo(target.url, have, size);
      have = size;
      const walked = await walk(target.url, size);
      console.log(
        `  ${String(size).padStart(6)} objects: ${walked.pages} pages, first 10 pages ${round(walked.firstPagesMs, 2)} ms/page,` +
          ` last 10 ${round(walked.lastPagesMs, 2)} ms/page, total ${round(walked.totalMs)} ms`,
      );
    }
  } finally {
    await target.stop();
  }
}
