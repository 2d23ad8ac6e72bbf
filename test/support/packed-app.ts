import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { appLockfile, type Lockfile, type PackedPackage } from "./app-lockfile.js";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface Packed extends PackedPackage {
  /** Absolute path of the tarball. */
  path: string;
  /** Paths inside the tarball, without the leading `package/`. */
  files: string[];
}

/** `npm pack` of the built package: what `npm publish` would upload. `prepare` is skipped: `npm test` built dist/. */
export async function packPackage(destination: string): Promise<Packed> {
  if (!existsSync(join(ROOT, "dist/index.js"))) throw new Error("dist/ is missing: run `npm run build` first.");
  const { stdout } = await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", destination], ROOT);
  const [report] = JSON.parse(stdout) as Array<{ filename: string; integrity: string; files: Array<{ path: string }> }>;
  if (!report) throw new Error(`npm pack reported nothing: ${stdout}`);
  const path = join(destination, report.filename);
  const manifest = JSON.parse((await run("tar", ["-xzOf", path, "package/package.json"], destination)).stdout);
  return {
    path,
    filename: report.filename,
    integrity: report.integrity,
    manifest,
    files: report.files.map((file) => file.path),
  };
}

/**
 * An app in `directory` that depends on the tarball and on `dependencies`, installed from the npm cache (the
 * registry is asked only for a tarball the cache lacks). Install scripts are not run, as with
 * `npm install --ignore-scripts`: the package must work without one. Given `base`, an app installed the same way
 * with fewer dependencies, its node_modules is hard-linked (no copy of the bytes) and npm adds what is missing.
 */
export async function installApp(
  directory: string,
  packed: Packed,
  dependencies: readonly string[],
  base?: string,
): Promise<void> {
  mkdirSync(directory, { recursive: true });
  copyFileSync(packed.path, join(directory, packed.filename));
  const repositoryLock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as Lockfile;
  const lock = appLockfile(repositoryLock, packed, dependencies);
  const root = lock.packages[""];
  writeFileSync(
    join(directory, "package.json"),
    `${JSON.stringify({ name: "app", private: true, type: "module", dependencies: root?.dependencies }, null, 2)}\n`,
  );
  writeFileSync(join(directory, "package-lock.json"), `${JSON.stringify(lock, null, 2)}\n`);
  const flags = [
    "--prefer-offline",
    "--omit=optional",
    "--ignore-scripts",
    "--no-audit",
    "--no-fund",
    "--loglevel=error",
  ];
  if (base === undefined) {
    await run("npm", ["ci", ...flags], directory);
    return;
  }
  await run("cp", ["-al", join(base, "node_modules"), join(directory, "node_modules")], directory);
  // npm rewrites this file in place, which would write through the hard link into the base app.
  rmSync(join(directory, "node_modules/.package-lock.json"), { force: true });
  await run("npm", ["install", ...flags], directory);
}

export interface Diagnostic {
  /** Relative to the app's folder, as tsc prints it. */
  file: string;
  line: number;
  column: number;
  code: string;
  /** The message with its indented continuation lines. */
  text: string;
}

/** Runs the app's own tsc on a tsconfig and parses what it reports. */
export async function typecheck(
  directory: string,
  project: string,
): Promise<{ diagnostics: Diagnostic[]; output: string }> {
  const tsc = join(directory, "node_modules/typescript/bin/tsc");
  const { stdout, stderr } = await run(process.execPath, [tsc, "-p", project, "--pretty", "false"], directory, {
    allowFailure: true,
  });
  const output = stdout + stderr;
  const diagnostics: Diagnostic[] = [];
  for (const line of output.split("\n")) {
    const located = /^(.+)\((\d+),(\d+)\): error (TS\d+): (.*)$/.exec(line);
    if (located) {
      const [, file = "", row = "0", column = "0", code = "", text = ""] = located;
      diagnostics.push({ file, line: Number(row), column: Number(column), code, text });
    } else if (/^error (TS\d+): /.test(line)) {
      diagnostics.push({ file: "", line: 0, column: 0, code: line.slice(6, line.indexOf(":")), text: line });
    } else if (line.startsWith(" ") && diagnostics.length > 0) {
      const last = diagnostics[diagnostics.length - 1] as Diagnostic;
      last.text += `\n${line}`;
    }
  }
  return { diagnostics, output };
}

export function formatDiagnostic(diagnostic: Diagnostic): string {
  const place = diagnostic.file === "" ? "" : `${diagnostic.file}(${diagnostic.line},${diagnostic.column}): `;
  return `${place}error ${diagnostic.code}: ${diagnostic.text}`;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function run(
  command: string,
  args: readonly string[],
  cwd: string,
  options: { allowFailure?: boolean; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: options.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
      ...(options.timeoutMs !== undefined && { timeout: options.timeoutMs, killSignal: "SIGKILL" }),
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (code === 0 || options.allowFailure) resolve({ code, stdout, stderr });
      else reject(new Error(`${command} ${args.join(" ")} exited ${code ?? signal} in ${cwd}:\n${stdout}${stderr}`));
    });
  });
}
