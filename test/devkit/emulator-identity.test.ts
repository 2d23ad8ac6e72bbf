import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmulatorClient, startEmulatorClient, typesEmittedBy } from "./emulator-setup.js";

let ctx: EmulatorClient;
beforeAll(async () => {
  ctx = await startEmulatorClient();
});
afterAll(() => ctx.emulator.close());

describe("identity verification sessions", () => {
  it("starts a session that requires input, with its url and secret, and takes updates while it does", async () => {
    let session = {} as Stripe.Identity.VerificationSession;
    const types = await typesEmittedBy(ctx.emulator, async () => {
      session = await ctx.stripe.identity.verificationSessions.create({
        type: "document",
        options: { document: { require_matching_selfie: true, allowed_types: ["passport"] } },
        client_reference_id: "user_1",
        metadata: { user: "1" },
      });
      await ctx.stripe.identity.verificationSessions.update(session.id, { type: "id_number" });
    });
    // Stripe has no event for an update.
    expect(types).toEqual(["identity.verification_session.created"]);
    expect(session).toMatchObject({
      object: "identity.verification_session",
      status: "requires_input",
      type: "document",
      options: { document: { require_matching_selfie: true, allowed_types: ["passport"] } },
      redaction: null,
    });
    expect(session.client_secret).toMatch(new RegExp(`^${session.id}_secret_test_\\w+$`));
    expect(session.url).toMatch(/^https:\/\/verify\.stripe\.com\/start\/test_\w+$/);
    const updated = await ctx.stripe.identity.verificationSessions.retrieve(session.id);
    expect(updated).toMatchObject({ type: "id_number", options: { id_number: {} } });
    const listed = await ctx.stripe.identity.verificationSessions.list({ client_reference_id: "user_1" });
    expect(listed.data.map((each) => each.id)).toEqual([session.id]);
    await expect(ctx.stripe.identity.verificationSessions.create({})).rejects.toMatchObject({
      code: "parameter_missing",
      param: "type",
    });
    await expect(
      ctx.stripe.identity.verificationSessions.create({ type: "document", related_customer: "cus_missing" }),
    ).rejects.toMatchObject({ code: "resource_missing", param: "related_customer" });
  });

  it("cancels only a session that requires input, and then takes no update", async () => {
    const session = await ctx.stripe.identity.verificationSessions.create({ type: "document" });
    let canceled = {} as Stripe.Identity.VerificationSession;
    const types = await typesEmittedBy(ctx.emulator, async () => {
      canceled = await ctx.stripe.identity.verificationSessions.cancel(session.id);
    });
    expect(types).toEqual(["identity.verification_session.canceled"]);
    expect(canceled).toMatchObject({ status: "canceled", url: null, client_secret: null });
    await expect(ctx.stripe.identity.verificationSessions.cancel(session.id)).rejects.toMatchObject({
      message: expect.stringContaining("This VerificationSession is canceled and cannot be canceled."),
    });
    await expect(
      ctx.stripe.identity.verificationSessions.update(session.id, { metadata: { late: "yes" } }),
    ).rejects.toMatchObject({ message: expect.stringContaining("cannot be updated") });
  });

  it("redacts a session that requires input by canceling it first, erasing its metadata and personal data", async () => {
    const session = await ctx.stripe.identity.verificationSessions.create({
      type: "document",
      metadata: { user: "2" },
      provided_details: { email: "jenny@example.com" },
    });
    let answer = {} as Stripe.Identity.VerificationSession;
    const types = await typesEmittedBy(ctx.emulator, async () => {
      answer = await ctx.stripe.identity.verificationSessions.redact(session.id);
    });
    expect(types).toEqual(["identity.verification_session.canceled", "identity.verification_session.redacted"]);
    expect(answer).toMatchObject({ status: "canceled", redaction: { status: "processing" } });
    expect(await ctx.stripe.identity.verificationSessions.retrieve(session.id)).toMatchObject({
      status: "canceled",
      redaction: { status: "redacted" },
      metadata: {},
      provided_details: { email: "[redacted]" },
    });
    const canceled = await ctx.stripe.identity.verificationSessions.create({ type: "document" });
    await ctx.stripe.identity.verificationSessions.cancel(canceled.id);
    await expect(ctx.stripe.identity.verificationSessions.redact(canceled.id)).rejects.toMatchObject({
      message: expect.stringContaining("cannot be redacted"),
    });
  });
});
