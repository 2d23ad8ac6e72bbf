// The baseline: node:http reading each body to its end and answering 200, without verifying or storing.
// Same server timeouts and reply shape as `stripe-inbox serve`, so the difference is the inbox's own work.
import { createServer } from "node:http";

const port = Number(process.argv[2]);
const server = createServer((req, res) => {
  let bytes = 0;
  req.on("data", (chunk) => {
    bytes += chunk.byteLength;
  });
  req.on("end", () => {
    const body = JSON.stringify({ received: true, bytes });
    res.writeHead(200, { "content-type": "application/json" });
    res.end(body);
  });
});
server.headersTimeout = 10_000;
server.requestTimeout = 30_000;
server.keepAliveTimeout = 5_000;
server.listen(port, "127.0.0.1");
process.on("SIGTERM", () => server.close(() => process.exit(0)));
