import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const VITEST = fileURLToPath(new URL("../../node_modules/vitest/vitest.mjs", import.meta.url));
const PROJECT = fileURLToPath(new URL("../../", import.meta.url));

export interface VitestRun {
  code: number | null;
  /** The non-blank lines vitest wrote to stdout, where the summary line ends them. */
  lines: string[];
  /** stdout and stderr together, for messages vitest prints on either. */
  output: string;
}

/** Runs `vitest run` in a child, as `npm test` does, without the summary label of the run that spawns it. */
export async function runVitest(args: string[], extraEnv: Record<string, string> = {}): Promise<VitestRun> {
  const { TEST_SUMMARY_LABEL: _inherited, ...env } = process.env;
  const child = spawn(process.execPath, [VITEST, "run", ...args], {
    cwd: PROJECT,
    env: { ...env, ...extraEnv },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    output += chunk;
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
  });
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  return { code, lines: stdout.split("\n").filter((line) => line.trim() !== ""), output };
}
