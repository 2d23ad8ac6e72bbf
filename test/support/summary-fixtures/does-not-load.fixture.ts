import { it } from "vitest";

const settings = JSON.parse("{ not json") as { name: string };

it(`reads ${settings.name}`, () => {});
