import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

interface LockEntry {
  optionalDependencies?: Record<string, string>;
}

const lock = JSON.parse(readFileSync(new URL("../../package-lock.json", import.meta.url), "utf8")) as {
  packages: Record<string, LockEntry>;
};

// `npm ci` refuses a lock file that omits an optional dependency of a locked package, even one built for another
// platform; `npm install` leaves such entries out when the registry it reads lacks them.
describe("package-lock.json", () => {
  it("records every optional dependency of every locked package, whatever its platform", () => {
    const missing: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      for (const name of Object.keys(entry.optionalDependencies ?? {})) {
        const nested = `${path ? `${path}/` : ""}node_modules/${name}`;
        if (!lock.packages[nested] && !lock.packages[`node_modules/${name}`]) missing.push(`${path} → ${name}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
