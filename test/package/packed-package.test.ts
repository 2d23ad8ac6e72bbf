import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { markdownLine, markdownSamples, sampleSource } from "../support/markdown-samples.js";
import {
  type Diagnostic,
  formatDiagnostic,
  installApp,
  type Packed,
  packPackage,
  ROOT,
  run,
  typecheck,
} from "../support/packed-app.js";

/**
 * What a user gets: the package as `npm pack` makes it, installed with npm into apps that have TypeScript, Node's
 * types and at most one framework, compiled under the strictest common settings without skipLibCheck, so that
 * our published declarations are checked as a user's compiler checks them. The programs in ./programs, the
 * examples and every TypeScript and JavaScript sample of the READMEs are compiled this way, and one program runs.
 */

/** Each app has TypeScript and Node's types; a framework app adds the framework and what its users install. */
const APPS = {
  core: [],
  express: ["express", "@types/express"],
  fastify: ["fastify"],
  hono: ["hono", "@hono/node-server"],
  next: ["next", "react", "react-dom", "@types/react"],
} as const satisfies Record<string, readonly string[]>;
type AppName = keyof typeof APPS;
const BASE_DEPENDENCIES = ["typescript", "@types/node"];

/** Imports that need a framework app: the framework itself, or our adapter for it. */
const FRAMEWORK_IMPORTS: Array<[RegExp, AppName]> = [
  [/^(express|@types\/express|stripe-inbox\/express)(\/|$)/, "express"],
  [/^(fastify|stripe-inbox\/fastify)(\/|$)/, "fastify"],
  [/^(hono|@hono\/node-server|stripe-inbox\/hono)(\/|$)/, "hono"],
  [/^(next|react|react-dom|stripe-inbox\/next)(\/|$)/, "next"],
];

function tsconfig(app: AppName): object {
  return {
    compilerOptions: {
      target: "ES2022",
      // A Node app's usual lib has no DOM: the web Request and Response come from @types/node. Next.js apps have it.
      lib: app === "next" ? ["ES2023", "DOM", "DOM.Iterable"] : ["ES2023"],
      // Next.js apps resolve as its bundler does (create-next-app's settings); next has no exports map for NodeNext.
      module: app === "next" ? "ESNext" : "NodeNext",
      moduleResolution: app === "next" ? "Bundler" : "NodeNext",
      strict: true,
      noUncheckedIndexedAccess: true,
      exactOptionalPropertyTypes: true,
      skipLibCheck: false,
      allowJs: true,
      checkJs: true,
      // A sample without import or export is still a module of its own, not a script sharing one global scope.
      moduleDetection: "force",
      rootDir: ".",
      outDir: "out",
    },
    include: ["programs", "examples", "samples"],
  };
}

interface CompiledSource {
  /** The test's name for it: where it comes from in this repository. */
  label: string;
  app: AppName;
  /** Path inside the app. */
  path: string;
  source: string;
  /** Where a diagnostic in this file is, in the repository's terms. */
  locate(diagnostic: Diagnostic): string;
}

function appFor(label: string, source: string): AppName {
  const specifiers = [...source.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)["']([^"']+)["']/g)].map((m) => m[1] ?? "");
  const apps = new Set<AppName>();
  for (const specifier of specifiers) {
    for (const [pattern, app] of FRAMEWORK_IMPORTS) if (pattern.test(specifier)) apps.add(app);
  }
  if (apps.size > 1) throw new Error(`${label} imports several frameworks (${[...apps].join(", ")}): one per sample.`);
  return [...apps][0] ?? "core";
}

function fileSource(repositoryPath: string, appPath: string): CompiledSource {
  const source = readFileSync(join(ROOT, repositoryPath), "utf8");
  return {
    label: repositoryPath,
    app: appFor(repositoryPath, source),
    path: appPath,
    source,
    locate: (diagnostic) => `${repositoryPath}(${diagnostic.line},${diagnostic.column})`,
  };
}

const PROGRAMS = readdirSync(join(ROOT, "test/package/programs")).map((name) =>
  fileSource(`test/package/programs/${name}`, `programs/${name}`),
);
const EXAMPLES = [
  ...readdirSync(join(ROOT, "examples")).filter((name) => name.endsWith(".ts")),
  "nextjs/app/webhooks/stripe/route.ts",
].map((name) => fileSource(`examples/${name}`, `examples/${name}`));
const SAMPLES = ["README.md", "examples/README.md"].flatMap((file) =>
  markdownSamples(file, readFileSync(join(ROOT, file), "utf8")).map((sample): CompiledSource => {
    const { source, preludeLines } = sampleSource(sample);
    const label = `${sample.file}:${sample.fenceLine}`;
    return {
      label,
      app: appFor(label, source),
      path: `samples/${sample.file.replaceAll("/", "-")}-${sample.fenceLine}.${sample.language}`,
      source,
      locate: (diagnostic) =>
        `${sample.file}:${markdownLine(sample, diagnostic.line, preludeLines)}:${diagnostic.column}` +
        (diagnostic.line <= preludeLines ? " (in its compile-with comment)" : ""),
    };
  }),
);
const SOURCES = [...PROGRAMS, ...EXAMPLES, ...SAMPLES];

describe("the packed package, installed with npm into apps", () => {
  let workspace: string;
  let packed: Packed;
  const appDir = (app: AppName) => join(workspace, app);
  const checks = new Map<AppName, ReturnType<typeof typecheck>>();
  /** One tsc run per app over all its files; each test reads its own file's diagnostics. */
  const checkApp = (app: AppName) => {
    let check = checks.get(app);
    if (!check) {
      check = typecheck(appDir(app), "tsconfig.json");
      checks.set(app, check);
    }
    return check;
  };

  beforeAll(async () => {
    workspace = mkdtempSync(join(tmpdir(), "stripe-inbox-packed-"));
    packed = await packPackage(workspace);
    await installApp(appDir("core"), packed, BASE_DEPENDENCIES);
    for (const app of Object.keys(APPS) as AppName[]) {
      if (app !== "core") await installApp(appDir(app), packed, [...BASE_DEPENDENCIES, ...APPS[app]], appDir("core"));
      writeFileSync(join(appDir(app), "tsconfig.json"), JSON.stringify(tsconfig(app), null, 2));
    }
    for (const source of SOURCES) {
      const path = join(appDir(source.app), source.path);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, source.source);
    }
  }, 600_000);

  afterAll(() => {
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  it("holds every export's files, and the files beside the code that tsc does not copy (migrations, fixtures, ...)", () => {
    const files = new Set(packed.files);
    // Whatever src/ holds besides TypeScript is read at run time from beside the compiled code.
    const dataFiles = readdirSync(join(ROOT, "src"), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && !entry.name.endsWith(".ts"))
      .map((entry) => `dist/${relative(join(ROOT, "src"), join(entry.parentPath, entry.name))}`);
    expect(dataFiles.length).toBeGreaterThan(0);
    expect([...dataFiles, ...exportedFiles(packed.manifest)].filter((path) => !files.has(path))).toEqual([]);
    expect(packed.files.filter((path) => /^(src|test|bench|examples)\//.test(path))).toEqual([]);
  });

  describe.each(Object.keys(APPS) as AppName[])("in the %s app", (app) => {
    const installed = [...BASE_DEPENDENCIES, ...APPS[app]].join(", ");
    it.each(SOURCES.filter((source) => source.app === app).map((source) => [source.label, source] as const))(
      `%s compiles with only ${installed} installed, strict, without skipLibCheck`,
      async (_label, source) => {
        const { diagnostics } = await checkApp(app);
        const ownPaths = new Set(SOURCES.filter((other) => other.app === app).map((other) => other.path));
        // A framework's own declarations are its to check (@hono/node-server's need the DOM lib): not ours.
        const frameworkFiles = APPS[app].map((name) => `node_modules/${name}/`);
        const problems = diagnostics
          .filter((diagnostic) => !frameworkFiles.some((prefix) => diagnostic.file.startsWith(prefix)))
          .filter((diagnostic) => diagnostic.file === source.path || !ownPaths.has(diagnostic.file))
          .map((diagnostic) =>
            diagnostic.file === source.path
              ? `${source.locate(diagnostic)}: error ${diagnostic.code}: ${diagnostic.text}`
              : formatDiagnostic(diagnostic),
          );
        expect(problems.join("\n")).toBe("");
      },
      300_000,
    );
  });

  it("installs its CLI on the PATH of npm scripts, and it runs: `stripe-inbox trigger --list` reads the fixtures", async () => {
    const { code, stdout, stderr } = await run(
      join(appDir("core"), "node_modules/.bin/stripe-inbox"),
      ["trigger", "--list"],
      appDir("core"),
      { allowFailure: true, timeoutMs: 60_000 },
    );
    expect(code, stderr).toBe(0);
    expect(stdout.split("\n")).toContain("payment_intent.succeeded");
  }, 120_000);

  it("runs: an inbox on PGlite answers a signed event with 200 after storing it, and runs its handler", async () => {
    await checkApp("core"); // emits out/
    const dataDir = join(workspace, "pglite-data");
    const { code, stdout, stderr } = await run(
      process.execPath,
      [join(appDir("core"), "out/programs/runtime.js"), dataDir],
      appDir("core"),
      { allowFailure: true, timeoutMs: 120_000 },
    );
    expect(code, stderr).toBe(0);
    expect(JSON.parse(stdout.trim().split("\n").at(-1) ?? "null")).toEqual({
      status: 200,
      answer: { received: true, id: "evt_packaged_1", duplicate: false },
      handledObject: "cus_packaged_1",
    });
  }, 300_000);
});

/** The files package.json points at: main, types, bin and every export condition. */
function exportedFiles(manifest: Packed["manifest"]): string[] {
  const targets: string[] = [];
  const collect = (value: unknown) => {
    if (typeof value === "string") targets.push(value);
    else if (value && typeof value === "object") for (const nested of Object.values(value)) collect(nested);
  };
  collect([manifest.main, manifest.types, manifest.bin, manifest.exports]);
  return targets.map((target) => target.replace(/^\.\//, ""));
}
