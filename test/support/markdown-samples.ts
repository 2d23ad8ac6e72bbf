/**
 * The TypeScript and JavaScript samples of a Markdown file, each compiled as a module of its own.
 *
 * A sample that is a fragment says what it assumes in an HTML comment right before its fence, and that code is
 * put before the sample when it is compiled:
 *
 *     <!-- compile with: import { createInbox } from "stripe-inbox"; declare const secret: string; -->
 *     ```ts
 *     const inbox = createInbox({ secret, mirror: true });
 *     ```
 *
 * There is no way to skip a sample: one that cannot compile is wrong, or needs its assumptions stated.
 */

export interface MarkdownSample {
  /** The Markdown file, as given. */
  file: string;
  /** 1-based line of the opening fence. */
  fenceLine: number;
  language: "ts" | "js";
  /** The code of the `<!-- compile with: ... -->` comment, or "". */
  prelude: string;
  code: string;
}

const FENCE = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/;
const LANGUAGES: Record<string, "ts" | "js"> = { ts: "ts", typescript: "ts", js: "js", javascript: "js" };
const PRELUDE = /^<!--\s*compile with:([\s\S]*?)-->\s*$/;

export function markdownSamples(file: string, markdown: string): MarkdownSample[] {
  const lines = markdown.split("\n");
  const samples: MarkdownSample[] = [];
  for (let index = 0; index < lines.length; index++) {
    const open = FENCE.exec(lines[index] ?? "");
    if (!open) continue;
    const [, indent = "", fence = "", info = ""] = open;
    let end = index + 1;
    while (end < lines.length && !(lines[end] ?? "").trimStart().startsWith(fence)) end++;
    const language = LANGUAGES[info.toLowerCase()];
    if (language) {
      samples.push({
        file,
        fenceLine: index + 1,
        language,
        prelude: preludeBefore(file, lines, index),
        code: lines
          .slice(index + 1, end)
          .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line))
          .join("\n"),
      });
    }
    index = end;
  }
  return samples;
}

/** The comment ending on the line before the fence, if it is one of ours; any other `compile` comment is a typo. */
function preludeBefore(file: string, lines: readonly string[], fenceIndex: number): string {
  let start = fenceIndex - 1;
  if (!(lines[start] ?? "").trimEnd().endsWith("-->")) return "";
  while (start > 0 && !(lines[start] ?? "").includes("<!--")) start--;
  const comment = lines
    .slice(start, fenceIndex)
    .map((line) => line.trim())
    .join("\n");
  const prelude = PRELUDE.exec(comment);
  if (prelude) return (prelude[1] ?? "").trim();
  if (/^<!--\s*compile/.test(comment)) {
    throw new Error(`${file}:${start + 1}: a sample's comment must read <!-- compile with: CODE -->, not ${comment}`);
  }
  return "";
}

/** The sample as a module: its prelude on the first lines, then its code. */
export function sampleSource(sample: MarkdownSample): { source: string; preludeLines: number } {
  if (sample.prelude === "") return { source: `${sample.code}\n`, preludeLines: 0 };
  return { source: `${sample.prelude}\n${sample.code}\n`, preludeLines: sample.prelude.split("\n").length };
}

/** Where a line of the compiled module is in the Markdown file; a prelude's line is that of its comment. */
export function markdownLine(sample: MarkdownSample, moduleLine: number, preludeLines: number): number {
  return moduleLine > preludeLines ? sample.fenceLine + moduleLine - preludeLines : sample.fenceLine - 1;
}
