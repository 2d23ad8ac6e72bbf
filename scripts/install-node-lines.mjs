// Installs the Node.js lines the suite also runs on (scripts/node-lines) into node_modules/.node-lines. Run by
// `prepare`, so `npm install` and `npm ci` bring them and the tests download nothing. Nothing to do when the
// installed copy matches the committed lockfile.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { INSTALL_DIR, installed, LINES, MANIFEST_DIR } from "./node-lines/lines.mjs";

if (!installed()) {
  rmSync(INSTALL_DIR, { recursive: true, force: true });
  mkdirSync(INSTALL_DIR, { recursive: true });
  for (const file of ["package.json", "package-lock.json"])
    copyFileSync(join(MANIFEST_DIR, file), join(INSTALL_DIR, file));
  // The outer npm's settings for this project (its prefix above all) must not steer the inner install.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^npm_(config_(local_)?prefix|package_)/i.test(name)),
  );
  const npm = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], {
    cwd: INSTALL_DIR,
    env,
    stdio: "inherit",
    shell: process.platform === "win32",
  });
  if (npm.status !== 0 || !installed()) {
    console.error(`Could not install Node ${LINES.map((line) => line.major).join(" and ")} into ${INSTALL_DIR}.`);
    process.exit(npm.status || 1);
  }
}
