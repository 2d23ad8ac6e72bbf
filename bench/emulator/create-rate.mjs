// `customers.create` as the official client sends it: a form-encoded POST with a test key, over keep-alive
// connections. Warm-up first (JIT, connections open), then a measured phase of fixed duration.
import autocannon from "autocannon";

const HEADERS = {
  authorization: "Bearer sk_test_bench",
  "content-type": "application/x-www-form-urlencoded",
  "stripe-version": undefined,
};

/**
 * `serverCpuSeconds`: the server process's CPU time so far. CPU time per request counts only the server's own
 * work, so it moves less than requests/s when other processes take the machine's cores.
 */
export async function createRate(url, { connections, warmupSeconds, durationSeconds, serverCpuSeconds }) {
  await fire(url, connections, warmupSeconds);
  const cpuBefore = serverCpuSeconds();
  const result = await fire(url, connections, durationSeconds);
  const cpuSeconds = serverCpuSeconds() - cpuBefore;
  return { ...result, cpuUsPerRequest: (cpuSeconds * 1e6) / Math.max(1, result.ok) };
}

function fire(url, connections, seconds) {
  let sequence = 0;
  const statuses = {};
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections,
        duration: seconds,
        pipelining: 1,
        requests: [
          {
            method: "POST",
            path: "/v1/customers",
            setupRequest(request) {
              request.headers = { ...HEADERS };
              delete request.headers["stripe-version"];
              request.body = `email=bench${sequence++}%40example.com&name=Bench&metadata[plan]=pro`;
              return request;
            },
          },
        ],
      },
      (error, result) => {
        if (error) return reject(error);
        resolve({
          rate: result.requests.average,
          ok: result["2xx"],
          non2xx: result.non2xx,
          errors: result.errors,
          p50Ms: result.latency.p50,
          p99Ms: result.latency.p99,
          statuses,
        });
      },
    );
    instance.on("response", (_client, status) => {
      statuses[status] = (statuses[status] ?? 0) + 1;
    });
  });
}
