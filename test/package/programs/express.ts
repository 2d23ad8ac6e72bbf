// stripe-inbox/express in an Express app with @types/express.
import express from "express";
import { createInbox } from "stripe-inbox";
import { expressWebhook } from "stripe-inbox/express";

const inbox = createInbox({ secret: "whsec_test" });
const app = express();
app.post("/webhooks/stripe", expressWebhook(inbox));
app.post("/raw/webhooks/stripe", express.raw({ type: "*/*" }), expressWebhook(inbox));
app.use(express.json());
app.post("/api/orders", (req, res) => {
  res.json({ order: req.body });
});
const router = express.Router();
router.post("/stripe", expressWebhook(inbox));
app.use("/hooks", router);
app.listen(0, "127.0.0.1");
