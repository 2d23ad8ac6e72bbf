import { it } from "vitest";

it("passes but leaves a rejection nobody handles", async () => {
  void Promise.reject(new Error("left behind"));
  await new Promise((resolve) => setTimeout(resolve, 50));
});
