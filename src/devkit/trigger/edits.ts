import { ConfigError } from "../../errors.js";
import type { FixtureFile } from "./fixture.js";

/** `--override`, `--add`, `--remove` and `--skip`, with the Stripe CLI's syntax: `name:path.to.param=value`. */
export interface FixtureEdits {
  override?: readonly string[];
  add?: readonly string[];
  remove?: readonly string[];
  skip?: readonly string[];
}

/** A copy of `file` with the edits applied, in the order override, add, remove, skip. */
export function editFixture(file: FixtureFile, edits: FixtureEdits): FixtureFile {
  const copy: FixtureFile = structuredClone(file);
  for (const edit of edits.override ?? []) setParam(copy, edit, "--override", true);
  for (const edit of edits.add ?? []) setParam(copy, edit, "--add", false);
  for (const edit of edits.remove ?? []) removeParam(copy, edit);
  const skipped = new Set(edits.skip ?? []);
  for (const name of skipped) requestNamed(copy, name, "--skip");
  copy.fixtures = copy.fixtures.filter((request) => !skipped.has(request.name));
  return copy;
}

function setParam(file: FixtureFile, edit: string, flag: string, mustExist: boolean): void {
  const equals = edit.indexOf("=");
  if (equals === -1)
    throw new ConfigError(`${flag} ${edit}: expected name:param=value, e.g. payment_intent:amount=3000.`);
  const { request, path } = target(file, edit.slice(0, equals), flag);
  request.params ??= {};
  const { parent, key } = walk(request.params, path, true);
  if (mustExist && !(key in parent)) {
    throw new ConfigError(`${flag} ${edit}: "${request.name}" has no param "${path.join(".")}"; use --add to add one.`);
  }
  parent[key] = edit.slice(equals + 1);
}

function removeParam(file: FixtureFile, edit: string): void {
  const { request, path } = target(file, edit, "--remove");
  const { parent, key } = walk(request.params ?? {}, path, false);
  if (!(key in parent)) throw new ConfigError(`--remove ${edit}: "${request.name}" has no param "${path.join(".")}".`);
  if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else delete parent[key];
}

function target(file: FixtureFile, spec: string, flag: string) {
  const colon = spec.indexOf(":");
  if (colon <= 0 || colon === spec.length - 1)
    throw new ConfigError(`${flag} ${spec}: expected name:param, e.g. customer:description.`);
  const request = requestNamed(file, spec.slice(0, colon), flag);
  const param = spec.slice(colon + 1);
  // A key already written with brackets (`recurring[interval]`) is one param, not a path.
  const path = request.params && param in request.params ? [param] : param.split(".");
  return { request, path };
}

function requestNamed(file: FixtureFile, name: string, flag: string) {
  const request = file.fixtures.find((candidate) => candidate.name === name);
  if (!request) {
    const names = file.fixtures.map((candidate) => candidate.name).join(", ");
    throw new ConfigError(`${flag}: this fixture has no request named "${name}" (it has: ${names}).`);
  }
  return request;
}

/** The object holding the last segment of `path`, making intermediate objects when `create` is set. */
function walk(root: Record<string, unknown>, path: readonly string[], create: boolean) {
  let parent: Record<string, unknown> = root;
  for (const segment of path.slice(0, -1)) {
    let next = parent[segment];
    if (typeof next !== "object" || next === null) {
      if (!create) return { parent: {} as Record<string, unknown>, key: segment };
      next = {};
      parent[segment] = next;
    }
    parent = next as Record<string, unknown>;
  }
  return { parent, key: path.at(-1) as string };
}
