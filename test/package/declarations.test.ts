import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "../support/stores.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const PACKAGE = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  exports: Record<string, { types: string } | string>;
};
const TSC = join(ROOT, "node_modules/typescript/bin/tsc");
/** Without skipLibCheck, tsc checks the `stripe` package's declarations too (several MB): a minute on a busy machine. */
const TYPECHECK_TIMEOUT_MS = 300_000;
const FRAMEWORK_OF: Record<string, string | null> = {
  "./express": "express",
  "./fastify": "fastify",
  "./hono": "hono",
  "./next": "next",
  "./node": null,
};

/** The bare module names a declaration file and the package's own declarations it imports import, transitively. */
function importedModules(entry: string): Set<string> {
  const seen = new Set<string>();
  const modules = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(/(?:from|import)\s*\(?\s*["']([^"']+)["']/g)) {
      const specifier = match[1] ?? "";
      if (specifier.startsWith(".")) visit(resolve(dirname(file), specifier.replace(/\.js$/, ".d.ts")));
      else
        modules.add(
          specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : (specifier.split("/")[0] ?? ""),
        );
    }
  };
  visit(entry);
  return modules;
}

const isBuiltin = (name: string) => name.startsWith("node:") || builtinModules.includes(name);

function typesOf(subpath: string): string {
  const entry = PACKAGE.exports[subpath];
  if (typeof entry !== "object") throw new Error(`no types for ${subpath}`);
  return join(ROOT, entry.types);
}

/**
 * A project that installed the packed package with only the given extra packages: its node_modules links every
 * package this repository has except our devDependencies (TypeScript and Node's types stay, as in any TS app),
 * and the app type-checks under `strict`.
 */
function appWith(frameworks: readonly string[], source: string, skipLibCheck = false): string {
  const dir = tempDir("stripe-inbox-app-");
  const denied = new Set(Object.keys(PACKAGE.devDependencies).filter((name) => !frameworks.includes(name)));
  for (const kept of ["typescript", "@types/node"]) denied.delete(kept);
  const modules = join(dir, "node_modules");
  for (const entry of readdirSync(join(ROOT, "node_modules"))) {
    if (entry.startsWith(".") || entry === "stripe-inbox") continue;
    const names = entry.startsWith("@")
      ? readdirSync(join(ROOT, "node_modules", entry)).map((name) => `${entry}/${name}`)
      : [entry];
    for (const name of names) {
      if (denied.has(name)) continue;
      mkdirSync(dirname(join(modules, name)), { recursive: true });
      symlinkSync(join(ROOT, "node_modules", name), join(modules, name));
    }
  }
  // A copy, as `npm install` makes it: a link would resolve the package's own imports from this repository.
  const installed = join(modules, "stripe-inbox");
  mkdirSync(installed);
  cpSync(join(ROOT, "package.json"), join(installed, "package.json"));
  cpSync(join(ROOT, "dist"), join(installed, "dist"), {
    recursive: true,
    filter: (path) => !path.endsWith(".map"),
  });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "NodeNext",
        moduleResolution: "NodeNext",
        strict: true,
        skipLibCheck,
        noEmit: true,
        types: ["node"],
      },
      files: ["app.ts"],
    }),
  );
  writeFileSync(join(dir, "app.ts"), source);
  return dir;
}

async function typecheck(dir: string): Promise<string> {
  try {
    await promisify(execFile)(process.execPath, [TSC, "-p", dir], { cwd: dir });
    return "";
  } catch (error) {
    return String((error as { stdout?: string }).stdout ?? error);
  }
}

describe("the published declarations", () => {
  const apps: string[] = [];
  afterAll(() => {
    for (const dir of apps) rmSync(dir, { recursive: true, force: true });
  });

  it("are built (npm run build)", () => {
    expect(existsSync(typesOf("."))).toBe(true);
  });

  it("of the core import nothing but the package's dependencies and Node's own modules", () => {
    const imported = [...importedModules(typesOf("."))];
    expect(imported.filter((name) => !isBuiltin(name) && !(name in PACKAGE.dependencies))).toEqual([]);
  });

  it.each(Object.entries(FRAMEWORK_OF))(
    "of %s import at most its framework, an optional peer",
    (subpath, framework) => {
      const imported = [...importedModules(typesOf(subpath))];
      const allowed = (name: string) => isBuiltin(name) || name in PACKAGE.dependencies || name === framework;
      expect(imported.filter((name) => !allowed(name))).toEqual([]);
      if (framework) expect(PACKAGE.peerDependencies[framework]).toBeDefined();
    },
  );

  it(
    "type-check in a strict app without skipLibCheck that has none of the frameworks",
    async () => {
      const dir = appWith(
        [],
        `import { createInbox, type Inbox } from "stripe-inbox";
const inbox: Inbox = createInbox({ secret: "whsec_test", database: process.env.DATABASE_URL });
inbox.on("invoice.paid", async (event) => { console.log(event.data.object.amount_paid); }, { name: "log-paid" });
export const handle: (request: Request) => Promise<Response> = inbox.fetch;
`,
      );
      apps.push(dir);
      expect(await typecheck(dir)).toBe("");
    },
    TYPECHECK_TIMEOUT_MS,
  );

  it(
    "of each adapter fit its framework's own types",
    async () => {
      const dir = appWith(
        ["express", "@types/express", "fastify", "hono"],
        `import { createServer } from "node:http";
import express from "express";
import Fastify from "fastify";
import { Hono } from "hono";
import { createInbox } from "stripe-inbox";
import { expressWebhook } from "stripe-inbox/express";
import { fastifyWebhook } from "stripe-inbox/fastify";
import { honoWebhook } from "stripe-inbox/hono";
import { nextWebhook } from "stripe-inbox/next";
import { nodeWebhook } from "stripe-inbox/node";

const inbox = createInbox({ secret: "whsec_test" });
express().post("/webhooks/stripe", expressWebhook(inbox));
await Fastify().register(fastifyWebhook(inbox, { path: "/hooks/stripe" }));
new Hono().post("/webhooks/stripe", honoWebhook(inbox));
export const POST: (request: Request) => Promise<Response> = nextWebhook(inbox);
createServer(nodeWebhook(inbox));
`,
        // The frameworks' own declarations are theirs to check; what is checked here is that ours fit them.
        true,
      );
      apps.push(dir);
      expect(await typecheck(dir)).toBe("");
    },
    TYPECHECK_TIMEOUT_MS,
  );
});
