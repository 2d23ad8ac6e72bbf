// The baseline: node:http reading each form body to its end and answering a customer-sized JSON object, with
// Stripe's headers, without parsing, validating or storing anything: the ceiling for this machine and this load.
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";

const port = Number(process.argv[2]);
const server = createServer((req, res) => {
  let body = "";
  req.setEncoding("utf8");
  req.on("data", (chunk) => {
    body += chunk;
  });
  req.on("end", () => {
    const customer = {
      id: `cus_${randomBytes(12).toString("hex")}`,
      object: "customer",
      email: new URLSearchParams(body).get("email"),
      created: Math.floor(Date.now() / 1000),
      metadata: {},
      filler: "x".repeat(1200),
    };
    res.writeHead(200, { "content-type": "application/json", "request-id": "req_bare", "stripe-version": "bare" });
    res.end(JSON.stringify(customer, null, 2));
  });
});
server.listen(port, "127.0.0.1", () => process.send?.("listening"));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
