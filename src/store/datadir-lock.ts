import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../errors.js";

export interface LockKind {
  file: string;
  /** The error's message when a live process `owner` holds the directory. */
  inUse(dataDir: string, owner: number): string;
}

const INBOX_LOCK: LockKind = {
  file: "inbox.lock",
  inUse: (dataDir, owner) =>
    `The data directory ${dataDir} is in use by process ${owner} (probably \`stripe-inbox serve\`). ` +
    "Stop it first, or run this against Postgres with DATABASE_URL.",
};

export interface DataDirLock {
  release(): void;
}

/**
 * PGlite is single-process: two processes opening one data directory corrupt it. The lock file holds
 * the owner's pid; a lock left by a dead process (kill -9, power loss) is taken over.
 */
export function lockDataDir(dataDir: string, kind: LockKind = INBOX_LOCK): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, kind.file);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, "wx", 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return { release: () => releaseIfOurs(path) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const owner = readOwner(path);
    if (owner === process.pid) {
      throw new ConfigError(
        `The data directory ${dataDir} is already open in this process; open one store per directory.`,
      );
    }
    if (owner !== null && isAlive(owner)) {
      throw new ConfigError(kind.inUse(dataDir, owner));
    }
    rmSync(path, { force: true });
  }
  throw new ConfigError(`Could not take the lock ${path}; another process keeps taking it.`);
}

function readOwner(path: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(path, "utf8"), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function releaseIfOurs(path: string): void {
  if (readOwner(path) === process.pid) rmSync(path, { force: true });
}
