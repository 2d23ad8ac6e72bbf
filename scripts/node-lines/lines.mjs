// The Node.js lines the suite also runs on, besides the Node that runs npm. Their binaries come from the npm
// registry (the `node` package installs the build for this platform), pinned by ./package-lock.json, and are
// installed apart from the project's node_modules/.bin, where they would replace `node` for every npm script.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const PROJECT = fileURLToPath(new URL("../../", import.meta.url));
export const MANIFEST_DIR = fileURLToPath(new URL(".", import.meta.url));
export const INSTALL_DIR = join(PROJECT, "node_modules", ".node-lines");

/** One entry per dependency of ./package.json: `node22` is `npm:node@^22...`. */
export const LINES = Object.keys(JSON.parse(readFileSync(join(MANIFEST_DIR, "package.json"), "utf8")).dependencies).map(
  (name) => ({ name, major: Number(name.replace(/^node/, "")), binary: nodeBinary(name) }),
);

function nodeBinary(name) {
  return join(INSTALL_DIR, "node_modules", name, "bin", process.platform === "win32" ? "node.exe" : "node");
}

/** Installed from the same lockfile as the one committed, with every binary in place. */
export function installed() {
  const lock = (dir) => join(dir, "package-lock.json");
  if (!existsSync(lock(INSTALL_DIR))) return false;
  if (readFileSync(lock(INSTALL_DIR), "utf8") !== readFileSync(lock(MANIFEST_DIR), "utf8")) return false;
  return LINES.every((line) => existsSync(line.binary));
}
