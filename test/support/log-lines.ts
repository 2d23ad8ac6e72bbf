import { Writable } from "node:stream";

/** A pino destination that keeps every line it is given. */
export function captureLines() {
  const lines: string[] = [];
  return {
    lines,
    destination: new Writable({
      write(chunk: Buffer | string, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    }),
    json: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
