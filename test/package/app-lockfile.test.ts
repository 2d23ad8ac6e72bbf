import { describe, expect, it } from "vitest";
import { appLockfile, type Lockfile, type PackedPackage } from "../support/app-lockfile.js";

const REPOSITORY: Lockfile = {
  lockfileVersion: 3,
  packages: {
    "": { name: "repository" },
    "node_modules/pg": { version: "8.0.0", dependencies: { "pg-types": "^2" }, optionalDependencies: { native: "1" } },
    "node_modules/pg-types": { version: "2.0.0", dev: true },
    "node_modules/native": { version: "1.0.0", optional: true },
    "node_modules/framework": {
      version: "5.0.0",
      dependencies: { "pg-types": "^1" },
      peerDependencies: { react: "*", sass: "*" },
      peerDependenciesMeta: { sass: { optional: true } },
    },
    "node_modules/framework/node_modules/pg-types": { version: "1.0.0" },
    "node_modules/react": { version: "19.0.0" },
    "node_modules/sass": { version: "1.0.0" },
    "node_modules/unrelated": { version: "1.0.0" },
  },
};
const PACKED: PackedPackage = {
  filename: "ours-1.0.0.tgz",
  integrity: "sha512-ours",
  manifest: { name: "ours", version: "1.0.0", dependencies: { pg: "^8" }, peerDependencies: { framework: "*" } },
};

describe("the lockfile of an app that installs the packed package", () => {
  it("holds the tarball's dependencies where the repository has them, and nothing the app does not need", () => {
    const lock = appLockfile(REPOSITORY, { ...PACKED, manifest: { ...PACKED.manifest, peerDependencies: {} } }, []);
    expect(Object.keys(lock.packages).sort()).toEqual([
      "",
      "node_modules/native",
      "node_modules/ours",
      "node_modules/pg",
      "node_modules/pg-types",
    ]);
    expect(lock.packages[""]).toEqual({ name: "app", dependencies: { ours: "file:ours-1.0.0.tgz" } });
    expect(lock.packages["node_modules/ours"]).toMatchObject({
      resolved: "file:ours-1.0.0.tgz",
      integrity: "sha512-ours",
    });
  });

  it("marks what only optional dependencies reach as optional, and drops the repository's dev flags", () => {
    const lock = appLockfile(REPOSITORY, PACKED, []);
    expect(lock.packages["node_modules/native"]?.optional).toBe(true);
    expect(lock.packages["node_modules/pg-types"]).toEqual({ version: "2.0.0" });
  });

  it("follows required peers and nested copies, and pins the app's own dependencies to the repository's versions", () => {
    const lock = appLockfile(REPOSITORY, PACKED, ["framework"]);
    expect(lock.packages[""]?.dependencies).toEqual({ ours: "file:ours-1.0.0.tgz", framework: "5.0.0" });
    expect(lock.packages["node_modules/framework/node_modules/pg-types"]).toEqual({ version: "1.0.0" });
    expect(lock.packages["node_modules/react"]).toEqual({ version: "19.0.0" });
    expect(lock.packages["node_modules/sass"]).toBeUndefined();
  });

  it("says which package needs a dependency the repository's lockfile lacks", () => {
    const missing = { ...PACKED, manifest: { ...PACKED.manifest, dependencies: { absent: "1" } } };
    expect(() => appLockfile(REPOSITORY, missing, [])).toThrow("ours needs absent");
  });
});
