import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type BrowserContext, chromium, type LaunchOptions } from "playwright-core";

/** A system Chromium (Debian's package), used when the build shipped in the npm package cannot start. */
export const SYSTEM_CHROMIUM = "/usr/bin/chromium";

const PROJECT = fileURLToPath(new URL("../../", import.meta.url));
const LAUNCH_TIMEOUT_MS = 30_000;
// Root needs --no-sandbox; the machine has no network, so nothing may try to reach out in the background.
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-quic",
  "--no-first-run",
  "--disable-component-update",
  "--disable-sync",
];

export type ContextOptions = Omit<Parameters<typeof chromium.launchPersistentContext>[1], keyof LaunchOptions>;

/**
 * Chromium for the browser tests, from the npm registry: `@sparticuz/chromium` ships the binary inside the package,
 * so `npm install` is the whole set-up. Debian's Chromium is the fallback; `CHROMIUM_PATH` names any other browser.
 * When none starts, the error says what each attempt answered and what to install.
 */
export async function launchChromium(profile: string, options: ContextOptions): Promise<BrowserContext> {
  const launch = (executablePath: string) =>
    chromium.launchPersistentContext(profile, {
      ...options,
      executablePath,
      args: CHROMIUM_ARGS,
      headless: true,
      timeout: LAUNCH_TIMEOUT_MS,
    });
  const explicit = process.env.CHROMIUM_PATH;
  if (explicit) {
    return launch(explicit).catch((error: unknown) => {
      const fix = "Fix: point CHROMIUM_PATH at a Chromium or Chrome executable that starts, or unset it.";
      throw noBrowser([`CHROMIUM_PATH=${explicit}: ${whyNot(error)}`], fix, error);
    });
  }
  let packaged: unknown;
  try {
    return await launch(await packagedChromium());
  } catch (error) {
    packaged = error;
  }
  const attempts = [`@sparticuz/chromium (the dev dependency that ships Chromium): ${whyNot(packaged)}`];
  const fix = [
    "Fix: run `npm install` (it brings @sparticuz/chromium, a Chromium inside an npm package). Where that build",
    `cannot run, install Debian's Chromium (\`apt-get install chromium\`, at ${SYSTEM_CHROMIUM}) or set CHROMIUM_PATH`,
    "to a Chromium or Chrome executable.",
  ].join("\n");
  if (!existsSync(SYSTEM_CHROMIUM)) throw noBrowser([...attempts, `${SYSTEM_CHROMIUM}: not installed`], fix, packaged);
  try {
    return await launch(SYSTEM_CHROMIUM);
  } catch (error) {
    throw noBrowser([...attempts, `${SYSTEM_CHROMIUM}: ${whyNot(error)}`], fix, packaged);
  }
}

/**
 * Unpacks the package's compressed Chromium once per version into node_modules/.cache. The package unpacks into
 * $TMPDIR and takes whatever it finds there as done, so it runs in a child with a fresh TMPDIR, renamed into place
 * only when complete: an interrupted unpack or a concurrent run never leaves a half-written browser behind.
 */
async function packagedChromium(): Promise<string> {
  const require = createRequire(import.meta.url);
  const packageDir = join(dirname(require.resolve("@sparticuz/chromium")), "..");
  const { version } = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")) as { version: string };
  const cache = join(PROJECT, "node_modules", ".cache");
  const unpacked = join(cache, `sparticuz-chromium-${version}`);
  const binary = join(unpacked, "chromium");
  if (existsSync(binary)) return binary;
  mkdirSync(cache, { recursive: true });
  const staging = mkdtempSync(join(cache, `sparticuz-chromium-${version}-unpacking-`));
  try {
    const unpack =
      'const { default: chromium } = await import("@sparticuz/chromium"); await chromium.executablePath();';
    await promisify(execFile)(process.execPath, ["--input-type=module", "--eval", unpack], {
      cwd: PROJECT,
      env: { ...process.env, TMPDIR: staging },
    });
    renameSync(staging, unpacked);
  } catch (error) {
    if (!existsSync(binary)) throw error;
    // Another run unpacked the same version first; its copy is complete, since it was renamed into place.
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return binary;
}

/** The first failure is kept as the cause: its full text (the browser's own log) tells why it could not start. */
function noBrowser(attempts: string[], fix: string, cause: unknown): Error {
  const lines = ["No Chromium could start for the dashboard's browser tests.", ...attempts.map((a) => `  - ${a}`), fix];
  return new Error(lines.join("\n"), { cause });
}

/** Playwright's first line, and what the browser itself wrote to stderr (a missing library, a crash). */
function whyNot(error: unknown): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: Playwright colours its call log; the escapes go.
  const plain = (error instanceof Error ? error.message : String(error)).replace(/\u001b\[[0-9;]*m/g, "");
  const lines = plain.split("\n");
  const browserSaid = lines
    .filter((line) => line.includes("][err]"))
    .map((line) => line.replace(/^.*\]\[err\]\s*/, ""));
  return [lines[0], ...new Set(browserSaid)].slice(0, 4).join(" | ");
}
