import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { configFromEnv } from "../../src/config.js";
import { startEmulator } from "../../src/devkit/emulator/index.js";
import { DEFAULT_WEBHOOK_PATH } from "../../src/http/server.js";
import { bannerUrl, CLI, cleanEnv, freePort, runCli, type ServeProcess, startServe } from "../support/processes.js";
import { type RunningInbox, startInboxServer } from "../support/servers.js";
import { dropSchema, POSTGRES_URL, tempDir, uniqueSchema } from "../support/stores.js";

/** There is no Docker engine here: the files are read as Docker reads them, and what they run is run for real. */
const run = promisify(execFile);
const repoFile = (path: string) => new URL(`../../${path}`, import.meta.url);

interface Service {
  image?: string;
  build?: string;
  command?: string[];
  profiles?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] };
}
const compose = parse(readFileSync(repoFile("docker-compose.yml"), "utf8"), { merge: true }) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const service = (name: string): Service => {
  const found = compose.services[name];
  if (!found) throw new Error(`no service ${name}`);
  return found;
};

/** Compose's interpolation: `${VAR}`, `${VAR:-default}`, `${VAR:?message}` (an error when unset or empty). */
function interpolate(value: string, shell: Record<string, string>): string {
  return value.replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_match, name: string, operator?: string, rest = "") => {
    const given = shell[name];
    if (given !== undefined && given !== "") return given;
    if (operator === "?") throw new Error(`required variable ${name} is missing a value: ${rest}`);
    return operator === "-" ? rest : "";
  });
}
const environmentOf = (name: string, shell: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(service(name).environment ?? {}).map(([key, value]) => [key, interpolate(String(value), shell)]),
  );
/** `"127.0.0.1:4242:4242"` -> host 4242, container 4242. */
const portMappings = (name: string) =>
  (service(name).ports ?? []).map((mapping) => {
    const parts = mapping.split(":");
    return { host: Number(parts.at(-2)), container: Number(parts.at(-1)) };
  });

describe("docker-compose.yml", () => {
  const shell = { STRIPE_INBOX_ADMIN_TOKEN: "admin-token", STRIPE_WEBHOOK_SECRET: "whsec_from_listen" };

  it("runs postgres, the app and the Stripe CLI by default, and the emulator and its app under `offline`", () => {
    const byProfile = Object.entries(compose.services).map(([name, found]) => [name, found.profiles ?? []]);
    expect(Object.fromEntries(byProfile)).toEqual({
      postgres: [],
      app: [],
      "stripe-cli": [],
      emulator: ["offline"],
      "app-offline": ["offline"],
    });
  });

  it("keeps Postgres in a named volume and reports it healthy with pg_isready", () => {
    const postgres = service("postgres");
    expect(postgres.image).toMatch(/^postgres:\d+/);
    expect(postgres.healthcheck?.test.join(" ")).toContain("pg_isready");
    const [volume] = postgres.volumes ?? [];
    expect(volume?.split(":")[1]).toBe("/var/lib/postgresql/data");
    expect(Object.keys(compose.volumes)).toContain(volume?.split(":")[0]);
  });

  it("builds the app from this repository and starts it once Postgres is healthy, on port 4242", () => {
    const app = service("app");
    expect(app.build).toBe(".");
    expect(app.depends_on).toEqual({ postgres: { condition: "service_healthy" } });
    expect(portMappings("app")).toEqual([{ host: 4242, container: 4242 }]);
  });

  it("configures the app for the postgres service, with the webhook secret and admin token from the environment", () => {
    const postgres = service("postgres").environment ?? {};
    const config = configFromEnv(environmentOf("app", shell));
    const database = new URL(config.database ?? "");
    expect(database.hostname).toBe("postgres");
    expect(database.username).toBe(postgres.POSTGRES_USER);
    expect(database.password).toBe(postgres.POSTGRES_PASSWORD);
    expect(database.pathname).toBe(`/${postgres.POSTGRES_DB}`);
    expect(config.secret).toEqual(["whsec_from_listen"]);
    expect(config.stripe.apiBase).toBeUndefined();
    expect(environmentOf("app", shell).STRIPE_INBOX_ADMIN_TOKEN).toBe("admin-token");
    // Unset, the webhook secret falls back to serve's dev secret, and without a token serve still receives.
    expect(environmentOf("app", {})).toMatchObject({ STRIPE_WEBHOOK_SECRET: "", STRIPE_INBOX_ADMIN_TOKEN: "" });
    expect(configFromEnv(environmentOf("app", {})).secret).toEqual([]);
  });

  it("runs `stripe listen` forwarding to the app's webhook route, with its key and device name from the environment", () => {
    const cli = service("stripe-cli");
    expect(cli.image).toMatch(/^stripe\/stripe-cli(:|$)/);
    expect(cli.command).toEqual(["listen", "--forward-to", "app:4242/webhooks/stripe"]);
    const [host, rest] = (cli.command?.[2] ?? "").split(":");
    expect(Object.keys(compose.services)).toContain(host);
    expect(rest).toBe(`${portMappings("app")[0]?.container}${DEFAULT_WEBHOOK_PATH}`);
    const env = environmentOf("stripe-cli", { STRIPE_API_KEY: "sk_test_mine", STRIPE_DEVICE_NAME: "laptop" });
    expect(env).toEqual({ STRIPE_API_KEY: "sk_test_mine", STRIPE_DEVICE_NAME: "laptop" });
    expect(cli.depends_on).toEqual({ app: { condition: "service_healthy" } });
  });

  it("under `offline`, runs the emulator from the app image and points a second app at it", () => {
    const emulator = service("emulator");
    const offline = service("app-offline");
    expect(emulator.image).toBe(service("app").image);
    expect(offline.image).toBe(service("app").image);
    expect(emulator.command).toEqual(["emulator", "--host", "0.0.0.0", "--port", "12111"]);
    expect(emulator.healthcheck?.test.join(" ")).toContain("http://127.0.0.1:12111/");
    expect(offline.depends_on).toEqual({
      postgres: { condition: "service_healthy" },
      emulator: { condition: "service_healthy" },
    });
    const config = configFromEnv(environmentOf("app-offline", shell));
    expect(config.stripe.apiBase).toBe("http://emulator:12111");
    expect(config.stripe.apiKey).toMatch(/^sk_test_/);
    expect(config.database).toBe(configFromEnv(environmentOf("app", shell)).database);
    expect(environmentOf("app-offline", shell).STRIPE_INBOX_ADMIN_TOKEN).toBe("admin-token");
    const hostPorts = ["app", "app-offline", "emulator", "postgres"].flatMap((name) =>
      portMappings(name).map((mapping) => mapping.host),
    );
    expect(new Set(hostPorts).size).toBe(hostPorts.length);
  });

  it("starts the emulator with flags the CLI accepts, and its healthcheck passes once it serves", async () => {
    const help = await run(process.execPath, [CLI, "emulator", "--help"]);
    expect(help.stdout).toMatch(/--host <host>/);
    expect(help.stdout).toMatch(/--port <port>/);
    const emulator = await startEmulator({ port: 0 });
    const probe = (service("emulator").healthcheck?.test.at(-1) ?? "").replace("12111", String(emulator.port));
    try {
      await expect(run(process.execPath, ["-e", probe])).resolves.toBeDefined();
    } finally {
      await emulator.close();
    }
    await expect(run(process.execPath, ["-e", probe])).rejects.toMatchObject({ code: 1 });
  });
});

describe("the offline profile, run as processes with the compose file's commands and environment", () => {
  let emulator: ChildProcess | undefined;
  let serve: ServeProcess | undefined;
  const schema = uniqueSchema();
  const dataDir = tempDir();
  afterAll(async () => {
    await serve?.kill();
    emulator?.kill("SIGKILL");
    await dropSchema(schema);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("registers app-offline with the emulator, which then delivers a triggered payment's events to it", async () => {
    // Docker's names become this machine's: the emulator on a free port, Postgres the suite's, in a schema of its own.
    const command = (service("emulator").command ?? []).map((arg) => (arg === "12111" ? "0" : arg));
    emulator = spawn(process.execPath, [CLI, ...command], { env: cleanEnv({}), stdio: ["ignore", "pipe", "ignore"] });
    const emulatorPort = (await bannerUrl(emulator)).port;
    const probe = (service("emulator").healthcheck?.test.at(-1) ?? "").replace("12111", emulatorPort);
    await expect
      .poll(
        () =>
          run(process.execPath, ["-e", probe]).then(
            () => true,
            () => false,
          ),
        { timeout: 20_000 },
      )
      .toBe(true);

    const composed = environmentOf("app-offline", { STRIPE_INBOX_ADMIN_TOKEN: "admin-token" });
    const env = {
      ...composed,
      DATABASE_URL: POSTGRES_URL,
      STRIPE_INBOX_SCHEMA: schema,
      STRIPE_INBOX_DATA_DIR: dataDir,
      STRIPE_API_BASE: (composed.STRIPE_API_BASE ?? "").replace("emulator:12111", `127.0.0.1:${emulatorPort}`),
    };
    serve = await startServe({ env });
    const registered = await runCli(["register", "--url", serve.url, "--events", "*"], env);
    expect(registered.code, registered.stderr).toBe(0);
    const triggered = await runCli(["trigger", "payment_intent.succeeded"], env);
    expect(triggered.code, triggered.stderr).toBe(0);

    const listed = async () => {
      const result = await runCli(["events", "list", "--json"], env);
      return (JSON.parse(result.stdout) as Array<{ type: string }>).map((event) => event.type).sort();
    };
    await expect
      .poll(listed, { timeout: 30_000, interval: 500 })
      .toEqual(["charge.succeeded", "charge.updated", "payment_intent.created", "payment_intent.succeeded"]);
  });
});

/** The Dockerfile as instructions grouped by stage, with `\` continuations joined. */
function readDockerfile() {
  const lines = readFileSync(repoFile("Dockerfile"), "utf8")
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
  const stages: Array<{ name: string; from: string; instructions: Array<{ op: string; args: string }> }> = [];
  for (const line of lines) {
    const [op = "", ...rest] = line.split(/\s+/);
    const args = rest.join(" ");
    if (op.toUpperCase() === "FROM") {
      const [from = "", , name = ""] = rest;
      stages.push({ name, from, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push({ op: op.toUpperCase(), args });
    }
  }
  return stages;
}

describe("Dockerfile", () => {
  const stages = readDockerfile();
  const stage = (name: string) => {
    const found = stages.find((candidate) => candidate.name === name);
    if (!found) throw new Error(`no stage ${name}`);
    return found;
  };
  const args = (name: string, op: string) =>
    stage(name)
      .instructions.filter((instruction) => instruction.op === op)
      .map((instruction) => instruction.args);
  const runtime = stages.at(-1);

  it("builds with the dev dependencies and ships only the production ones", () => {
    expect(stages.map((found) => found.name)).toEqual(["build", "deps", "runtime"]);
    expect(stages.every((found) => found.from.startsWith("node:20"))).toBe(true);
    expect(args("build", "RUN")).toContain("npm ci --ignore-scripts");
    expect(args("build", "RUN")).toContain("npm run build");
    expect(args("deps", "RUN").join(" ")).toContain("npm ci --omit=dev");
    const copies = args("runtime", "COPY");
    expect(copies).toContain("--from=deps /app/node_modules ./node_modules");
    expect(copies).toContain("--from=build /app/dist ./dist");
    expect(copies.filter((copy) => !copy.startsWith("--from="))).toEqual(["package.json ./"]);
  });

  it("runs as an unprivileged user, after the last RUN", () => {
    const instructions = runtime?.instructions ?? [];
    const user = instructions.findIndex((instruction) => instruction.op === "USER");
    expect(instructions[user]?.args).toBe("node");
    expect(instructions.slice(user).some((instruction) => instruction.op === "RUN")).toBe(false);
  });

  it("serves on 0.0.0.0:4242 with `stripe-inbox serve`", () => {
    expect(args("runtime", "EXPOSE")).toEqual(["4242"]);
    const env = args("runtime", "ENV").join(" ");
    expect(env).toMatch(/HOST=0\.0\.0\.0/);
    expect(env).toMatch(/PORT=4242/);
    expect(args("runtime", "ENTRYPOINT")).toEqual(['["stripe-inbox"]']);
    expect(args("runtime", "CMD")).toEqual(['["serve"]']);
    // The symlinked entry point runs only with its shebang.
    expect(readFileSync(repoFile("src/cli/main.ts"), "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
    expect(args("runtime", "RUN").join(" ")).toContain("ln -s /app/dist/cli/main.js /usr/local/bin/stripe-inbox");
  });

  it("copies only paths that exist and that .dockerignore lets into the build context", () => {
    const ignored = readFileSync(repoFile(".dockerignore"), "utf8")
      .split("\n")
      .filter((line) => line.trim() !== "" && !line.startsWith("#"));
    const sources = stages.flatMap((found) =>
      found.instructions
        .filter((instruction) => instruction.op === "COPY" && !instruction.args.startsWith("--from="))
        .flatMap((instruction) => instruction.args.split(/\s+/).slice(0, -1)),
    );
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect(existsSync(repoFile(source)), source).toBe(true);
      expect(ignored, source).not.toContain(source);
    }
    // Everything `npm run build` reads is copied before it runs.
    const build = JSON.parse(readFileSync(repoFile("package.json"), "utf8")).scripts.build as string;
    for (const path of build.match(/[\w./-]+\.(json|mjs)/g) ?? []) {
      expect(
        sources.some((source) => path === source || path.startsWith(`${source}/`)),
        path,
      ).toBe(true);
    }
    expect(ignored).toEqual(expect.arrayContaining(["node_modules", "dist", ".stripe-inbox", ".env", ".git"]));
  });

  it("ships every package the compiled code imports among the production dependencies", () => {
    const { dependencies } = JSON.parse(readFileSync(repoFile("package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    const sources = readdirSync(repoFile("src"), { recursive: true, encoding: "utf8" }).filter(
      (path) => path.endsWith(".ts") && !path.endsWith(".d.ts"),
    );
    const imported = new Set<string>();
    for (const source of sources) {
      // The runtime stage runs dist/, as tsc compiled it: type-only imports are gone, `import {}` ones are not.
      const compiled = readFileSync(repoFile(`dist/${source.replace(/\.ts$/, ".js")}`), "utf8");
      const specifiers = compiled.matchAll(
        /(?:^|[\s}])from\s*"([^"]+)";\s*$|^import\s*"([^"]+)";\s*$|\bimport\(\s*"([^"]+)"\s*\)/gm,
      );
      for (const [, ...found] of specifiers) {
        const specifier = found.find((candidate) => candidate !== undefined) ?? "";
        if (specifier.startsWith(".") || specifier.startsWith("node:")) continue;
        const parts = specifier.split("/");
        imported.add(specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? specifier));
      }
    }
    expect(imported.size).toBeGreaterThan(3);
    for (const name of imported) expect(Object.keys(dependencies), name).toContain(name);
  });

  describe("its HEALTHCHECK", () => {
    let inbox: RunningInbox;
    const probe = () => {
      const healthcheck = args("runtime", "HEALTHCHECK").join(" ");
      const exec = JSON.parse(healthcheck.slice(healthcheck.indexOf("CMD ") + 4)) as string[];
      expect(exec.slice(0, 2)).toEqual(["node", "-e"]);
      expect(healthcheck).not.toContain("curl");
      return exec;
    };
    const dataDir = tempDir();
    beforeAll(async () => {
      inbox = await startInboxServer({ dataDir });
    });
    afterAll(async () => {
      await inbox.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it("passes against a serving inbox's /healthz and fails when nothing listens", async () => {
      const [command = "", ...rest] = probe();
      const port = new URL(inbox.url).port;
      await expect(run(command, rest, { env: { ...process.env, PORT: port } })).resolves.toBeDefined();
      const closed = String(await freePort());
      await expect(run(command, rest, { env: { ...process.env, PORT: closed } })).rejects.toMatchObject({ code: 1 });
    });
  });
});
