// Settings from the environment that every bench starting `stripe-inbox worker` processes reads the same way.

/** A comma-separated BENCH_ variable as a list of trimmed items. */
export function listEnv(name, fallback) {
  return (process.env[name] ?? fallback).split(",").map((item) => item.trim());
}

/** How the workers are started and where they connect: spread last into a bench's config. */
export function workerProcessConfig() {
  const databaseUrl = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
  return {
    // Handlers at once per worker; unset, the workers' own default.
    concurrency: process.env.BENCH_CONCURRENCY || null,
    databaseUrl,
    logLevel: process.env.STRIPE_INBOX_LOG_LEVEL ?? "info",
    // Node flags for the throughput workers only, e.g. "--cpu-prof --cpu-prof-dir=/tmp/profiles".
    workerNodeArgs: (process.env.BENCH_WORKER_NODE_ARGS ?? "").split(" ").filter(Boolean),
    databasePort: Number(new URL(databaseUrl).port || 5432),
  };
}
