// The handler module of bench/soak, loaded by `serve --handlers`: every event bumps a counter in
// BENCH_SOAK_TABLE through `ctx.sql`, so each run opens, writes and commits a transaction of its own, as a real
// handler's would. The counters are spread over 36 rows (the id's last character) so that concurrent runs seldom
// wait for one another's row lock, and the table stays a few pages: the inbox's own tables are what the soak watches.
export default function registerSoakHandlers(inbox) {
  const table = process.env.BENCH_SOAK_TABLE;
  if (!table) throw new Error("BENCH_SOAK_TABLE must name the counters' table");
  inbox.on(
    "*",
    async (event, ctx) => {
      await ctx.sql(
        `INSERT INTO ${table} AS t (bucket, handled) VALUES ($1, 1)
         ON CONFLICT (bucket) DO UPDATE SET handled = t.handled + 1`,
        [event.id.slice(-1)],
      );
    },
    { name: "soak-count" },
  );
}
