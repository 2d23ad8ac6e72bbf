// The emulator's speed: customers.create requests/s against a bare node:http server in the same run, the cost of
// `--data`, and paging through a 10,000-object list. Prints figures; passes or fails on nothing but errors.
//   npm run build && npm run bench:emulator
//   BENCH_CONNECTIONS=16 BENCH_ROUNDS=3 BENCH_WARMUP=2 BENCH_DURATION=5 BENCH_LIST_SIZE=10000 BENCH_CPU_PROF=dir
//   BENCH_ONLY=bare,memory,data,journal,list,clock BENCH_CLOCK_SUBSCRIPTIONS=1000
import { createRate } from "./create-rate.mjs";
import { journalWriteCost } from "./journal-write.mjs";
import { fillTo, walk } from "./pagination.mjs";
import { startTarget } from "./targets.mjs";
import { describeTestClockYear, testClockYear } from "./test-clock.mjs";

const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);
const warmupSeconds = Number(process.env.BENCH_WARMUP ?? 2);
const durationSeconds = Number(process.env.BENCH_DURATION ?? 5);
const listSize = Number(process.env.BENCH_LIST_SIZE ?? 10_000);
const cpuProfileDir = process.env.BENCH_CPU_PROF;
const only = process.env.BENCH_ONLY?.split(",");

const round = (value, digits = 0) => Math.round(value * 10 ** digits) / 10 ** digits;

const round2 = (value) => round(value, 2);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);

const names = ["bare", "memory", "data"].filter((name) => !only || only.includes(name));
if (names.length > 0) await measureCreates();

async function measureCreates() {
  console.log(
    `customers.create over ${connections} keep-alive connections: ${rounds} rounds, each target ${durationSeconds} s ` +
      `after ${warmupSeconds} s of warm-up; the targets take turns, so the machine's noise falls on each alike`,
  );
  const targets = {};
  for (const name of names) {
    targets[name] = await startTarget(name, { cpuProfileDir: name === "bare" ? undefined : cpuProfileDir });
  }
  const rates = Object.fromEntries(names.map((name) => [name, []]));
  const cpu = Object.fromEntries(names.map((name) => [name, []]));
  try {
    for (let turn = 1; turn <= rounds; turn++) {
      const parts = [];
      for (const name of names) {
        const result = await createRate(targets[name].url, {
          connections,
          warmupSeconds,
          durationSeconds,
          serverCpuSeconds: () => targets[name].cpuSeconds(),
        });
        rates[name].push(result.rate);
        cpu[name].push(result.cpuUsPerRequest);
        const failed = result.non2xx + result.errors;
        parts.push(
          `${name} ${Math.round(result.rate)} req/s (p99 ${result.p99Ms} ms, server CPU ${Math.round(result.cpuUsPerRequest)} us/req)` +
            (failed > 0 ? ` FAILED ${failed}: ${JSON.stringify(result.statuses)}` : ""),
        );
      }
      const ratios = names
        .filter((name) => name !== "bare" && rates.bare)
        .map((name) => `${name}/bare ${round2(rates[name].at(-1) / rates.bare.at(-1))}`);
      console.log(`  round ${turn}: ${parts.join(", ")}; ${ratios.join(", ")}`);
    }
  } finally {
    for (const name of names) await targets[name].stop();
  }
  const average = (values) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const mean = (name) => average(rates[name]);
  const cpuMean = (name) => average(cpu[name]);
  for (const name of names) {
    console.log(
      `  ${name.padEnd(7)} mean ${Math.round(mean(name))} req/s, server CPU ${Math.round(cpuMean(name))} us/req ` +
        `(${Math.round(1e6 / cpuMean(name))} req/s per core)`,
    );
  }
  for (const name of names.filter((each) => each !== "bare" && rates.bare)) {
    console.log(
      `  ${name} / bare: ${round2(mean(name) / mean("bare"))} in req/s, ${round2(cpuMean(name) / cpuMean("bare"))} in CPU per request`,
    );
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
      await walk(target.url, size); // a first walk compiles the list's code and completes each object once
      const cpuBefore = target.cpuSeconds();
      const walked = await walk(target.url, size);
      const serverCpuMs = (target.cpuSeconds() - cpuBefore) * 1000;
      console.log(
        `  ${String(size).padStart(6)} objects: ${walked.pages} pages, first 10 pages ${round(walked.firstPagesMs, 2)} ms/page,` +
          ` last 10 ${round(walked.lastPagesMs, 2)} ms/page, total ${round(walked.totalMs)} ms, server CPU ${round(serverCpuMs)} ms`,
      );
    }
  } finally {
    await target.stop();
  }
}

if (!only || only.includes("clock")) {
  const subscriptions = Number(process.env.BENCH_CLOCK_SUBSCRIPTIONS ?? 1000);
  console.log(describeTestClockYear(await testClockYear({ subscriptions })));
}
