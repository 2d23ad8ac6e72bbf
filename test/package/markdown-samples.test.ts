import { describe, expect, it } from "vitest";
import { markdownLine, markdownSamples, sampleSource } from "../support/markdown-samples.js";

const README = [
  "# Title", // 1
  "", // 2
  "```ts", // 3
  'import { createInbox } from "stripe-inbox";', // 4
  "```", // 5
  "", // 6
  "<!-- compile with:", // 7
  'import { createInbox } from "stripe-inbox";', // 8
  "declare const secret: string;", // 9
  "-->", // 10
  "```typescript", // 11
  "const inbox = createInbox({ secret });", // 12
  "```", // 13
  "```sh", // 14
  "npm start", // 15
  "```", // 16
  "- a list item:", // 17
  "  ```js", // 18
  "  export default () => {};", // 19
  "  ```", // 20
].join("\n");

describe("the samples of a Markdown file", () => {
  const samples = markdownSamples("README.md", README);

  it("are its ts, typescript and js fences, not the others, with their code unindented", () => {
    expect(samples.map(({ fenceLine, language, code }) => ({ fenceLine, language, code }))).toEqual([
      { fenceLine: 3, language: "ts", code: 'import { createInbox } from "stripe-inbox";' },
      { fenceLine: 11, language: "ts", code: "const inbox = createInbox({ secret });" },
      { fenceLine: 18, language: "js", code: "export default () => {};" },
    ]);
  });

  it("take the code of a compile-with comment right before the fence as their prelude", () => {
    expect(samples[0]?.prelude).toBe("");
    expect(samples[1]?.prelude).toBe('import { createInbox } from "stripe-inbox";\ndeclare const secret: string;');
  });

  it("map a line of the compiled module back to the Markdown file, past the prelude", () => {
    const sample = samples[1];
    if (!sample) throw new Error("no second sample");
    const { source, preludeLines } = sampleSource(sample);
    expect(source.split("\n")[preludeLines]).toBe("const inbox = createInbox({ secret });");
    expect(markdownLine(sample, preludeLines + 1, preludeLines)).toBe(12);
    expect(markdownLine(sample, 1, preludeLines)).toBe(10);
  });

  it("refuse any other compile comment, so that a typo or a skip cannot hide a sample", () => {
    expect(() => markdownSamples("README.md", "<!-- compile: skip -->\n```ts\nnotDefined();\n```")).toThrow(
      "README.md:1: a sample's comment must read <!-- compile with: CODE -->",
    );
  });
});
