import { closeSync, fsyncSync, ftruncateSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "../../log.js";
import { type DataDirLock, lockDataDir } from "../../store/datadir-lock.js";
import type { StoreWrites, StripeObject } from "./store.js";

const JOURNAL_FILE = "emulator.jsonl";

/** An object as it was after a request (`o`), or its removal (`d`), in account `a` (null: the platform). */
export type JournalWrite = { a: string | null; o: StripeObject } | { a: string | null; d: string };

/** What an idempotency key answered, kept so a retry after a restart gets the same answer. */
export interface SavedAnswer {
  fingerprint: string;
  status: number;
  body: string;
  /** Unix seconds on the emulator's clock, from which the key's 24 hours run. */
  savedAt: number;
}

/** One line of the journal: what one request changed, so a line torn by a crash loses that request whole. */
export interface JournalLine {
  w?: JournalWrite[];
  k?: [string, SavedAnswer];
}

interface Pending {
  account: string | null;
  object: StripeObject;
  written: boolean;
  removed: boolean;
}

/**
 * The emulator's state on disk: an append-only file of JSON lines, one per request that changed something,
 * replayed at start and then rewritten compacted. Each line is written before the request is answered and not
 * fsync'd: a kill -9 loses nothing the operating system was handed, and an fsync per request would cost more
 * than the request. A power loss may tear the last line, which replay skips.
 */
export class Journal {
  private readonly pending = new Map<string, Pending>();
  private answer: [string, SavedAnswer] | undefined;
  private commitQueued = false;
  private closed = false;
  private fd: number;

  private constructor(
    private readonly path: string,
    private readonly lock: DataDirLock,
  ) {
    this.fd = openSync(path, "a", 0o600);
  }

  /** Takes the directory (one emulator per directory) and reads what earlier runs saved. */
  static open(dataDir: string, log: Logger): { journal: Journal; lines: JournalLine[] } {
    const lock = lockDataDir(dataDir, {
      file: "emulator.lock",
      inUse: (dir, owner) =>
        `The emulator's data directory ${dir} is in use by process ${owner}; stop that emulator first.`,
    });
    const path = join(dataDir, JOURNAL_FILE);
    const lines = readLines(path, log);
    return { journal: new Journal(path, lock), lines };
  }

  /** The store hook for `account`'s objects. */
  writesOf(account: string | null): StoreWrites {
    return {
      written: (object) => (this.note(account, object).written = true),
      removed: (object) => (this.note(account, object).removed = true),
    };
  }

  saveAnswer(key: string, answer: SavedAnswer): void {
    this.answer = [key, answer];
  }

  /** Appends what changed since the last commit as one line; called before the request is answered. */
  commit(): void {
    if (this.closed || (this.pending.size === 0 && this.answer === undefined)) return;
    const line: JournalLine = {};
    if (this.pending.size > 0) line.w = [...this.pending.values()].flatMap(toWrites);
    if (this.answer) line.k = this.answer;
    this.pending.clear();
    this.answer = undefined;
    writeAll(this.fd, `${JSON.stringify(line)}\n`);
  }

  /** Replaces the file by `lines` (the state as it is), written aside, fsync'd and renamed over, so a crash leaves one or the other. */
  rewrite(lines: Iterable<JournalLine>): void {
    const aside = `${this.path}.new`;
    const fd = openSync(aside, "w", 0o600);
    try {
      let chunk = "";
      for (const line of lines) {
        chunk += `${JSON.stringify(line)}\n`;
        if (chunk.length > 1 << 20) {
          writeAll(fd, chunk);
          chunk = "";
        }
      }
      writeAll(fd, chunk);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(aside, this.path);
    closeSync(this.fd);
    this.fd = openSync(this.path, "a", 0o600);
  }

  /** Empties the file and forgets what was not yet written: `POST /_emulator/reset`. */
  reset(): void {
    this.pending.clear();
    this.answer = undefined;
    ftruncateSync(this.fd, 0);
    fsyncSync(this.fd);
  }

  close(): void {
    if (this.closed) return;
    this.commit();
    this.closed = true;
    closeSync(this.fd);
    this.lock.release();
  }

  private note(account: string | null, object: StripeObject): Pending {
    const key = `${account}\u0000${object.id}`;
    let entry = this.pending.get(key);
    if (!entry) {
      entry = { account, object, written: false, removed: false };
      this.pending.set(key, entry);
    }
    // A write outside a request (a delivery settling an event's pending_webhooks) is saved on its own.
    if (!this.commitQueued) {
      this.commitQueued = true;
      queueMicrotask(() => {
        this.commitQueued = false;
        this.commit();
      });
    }
    return entry;
  }
}

function toWrites(entry: Pending): JournalWrite[] {
  const writes: JournalWrite[] = [];
  if (entry.written) writes.push({ a: entry.account, o: entry.object });
  if (entry.removed) writes.push({ a: entry.account, d: entry.object.id });
  return writes;
}

/** The journal's lines; a line that does not parse (torn by a crash mid-write) is skipped and counted in the log. */
function readLines(path: string, log: Logger): JournalLine[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const lines: JournalLine[] = [];
  let skipped = 0;
  for (const raw of text.split("\n")) {
    if (raw === "") continue;
    try {
      const line: unknown = JSON.parse(raw);
      if (typeof line === "object" && line !== null && !Array.isArray(line)) lines.push(line as JournalLine);
      else skipped++;
    } catch {
      skipped++;
    }
  }
  if (skipped > 0) log.warn({ path, skipped }, "emulator journal: skipped lines torn by a crash");
  return lines;
}

function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text, "utf8");
  let offset = 0;
  while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
}
