import { readFileSync } from "node:fs";
import { ConfigError } from "../../errors.js";

/** One API call of a fixture, in the Stripe CLI's format; its answer is kept under `name` for later `${name:path}`. */
export interface FixtureRequest {
  name: string;
  path: string;
  method: "get" | "post" | "delete";
  params?: Record<string, unknown>;
  /** The call is expected to fail with this Stripe error type (e.g. `card_error`), and the run goes on. */
  expected_error_type?: string;
  api_version?: string;
}

/** A Stripe CLI fixture file: `{ "_meta": { "template_version": 0 }, "fixtures": [...] }`. */
export interface FixtureFile {
  _meta: { template_version: number };
  fixtures: FixtureRequest[];
}

const METHODS = new Set(["get", "post", "delete"]);

/** Checks the shape of a parsed fixture file and says what is wrong with it in one line. */
export function parseFixture(value: unknown, source: string): FixtureFile {
  const file = value as Partial<FixtureFile> | null;
  if (typeof file !== "object" || file === null || !Array.isArray(file.fixtures)) {
    throw new ConfigError(`${source} is not a fixture file: it needs a "fixtures" array, as the Stripe CLI's have.`);
  }
  const fixtures = file.fixtures.map((raw: unknown, index): FixtureRequest => {
    const request = raw as Partial<FixtureRequest> & { method?: string };
    const where = `${source}: fixtures[${index}]`;
    if (typeof request !== "object" || request === null) throw new ConfigError(`${where} is not an object.`);
    if (typeof request.name !== "string" || request.name === "") throw new ConfigError(`${where} needs a "name".`);
    if (typeof request.path !== "string" || !request.path.startsWith("/")) {
      throw new ConfigError(`${where} needs a "path" such as /v1/customers.`);
    }
    const method = String(request.method ?? "post").toLowerCase();
    if (!METHODS.has(method))
      throw new ConfigError(`${where} has method "${request.method}"; use get, post or delete.`);
    if (request.params !== undefined && (typeof request.params !== "object" || Array.isArray(request.params))) {
      throw new ConfigError(`${where} has "params" that are not an object.`);
    }
    return { ...request, method: method as FixtureRequest["method"] } as FixtureRequest;
  });
  return { _meta: { template_version: file._meta?.template_version ?? 0 }, fixtures };
}

export function loadFixtureFile(path: string): FixtureFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError(`Cannot read the fixture file ${path}: ${(error as NodeJS.ErrnoException).code ?? error}.`);
  }
  try {
    return parseFixture(JSON.parse(text), path);
  } catch (error) {
    if (error instanceof SyntaxError) throw new ConfigError(`${path} is not valid JSON: ${error.message}.`);
    throw error;
  }
}
