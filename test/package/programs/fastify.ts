// stripe-inbox/fastify in a Fastify app.
import Fastify from "fastify";
import { createInbox } from "stripe-inbox";
import { fastifyWebhook } from "stripe-inbox/fastify";

const inbox = createInbox({ secret: "whsec_test" });
const app = Fastify();
await app.register(fastifyWebhook(inbox));
await app.register(fastifyWebhook(inbox, { path: "/hooks/stripe" }), { prefix: "/v2" });
app.post("/api/orders", async (request) => ({ order: request.body }));
app.addHook("onClose", () => inbox.stop());
await app.ready();
await app.close();
