// What one journal line costs to write, with and without an fsync: the choice behind `emulator --data`.
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";

export function journalWriteCost(line, count = 2000) {
  const dir = mkdtempSync(join(tmpdir(), "bench-journal-"));
  try {
    const perWrite = (sync) => {
      const fd = openSync(join(dir, `journal-${sync}.jsonl`), "a");
      const started = performance.now();
      for (let index = 0; index < count; index++) {
        writeSync(fd, line);
        if (sync) fdatasyncSync(fd);
      }
      const micros = ((performance.now() - started) * 1000) / count;
      closeSync(fd);
      return micros;
    };
    return { appendUs: perWrite(false), appendFsyncUs: perWrite(true), bytes: Buffer.byteLength(line) };
  } finally {
    rmSync(dir, { recursive: true });
  }
}
