import type { InlineObject, SchemaNode, StripeSchema } from "../../src/devkit/emulator/schema/types.js";

/**
 * Where `value` departs from the shape the `stripe` package declares for `node`: a field it declares always
 * present that is missing, a field it does not declare, a value of the wrong type or outside a closed enum. Written apart from the
 * emulator's own filling so that a test checks that filling against the schema rather than against itself.
 */
export function shapeProblems(schema: StripeSchema, value: unknown, node: SchemaNode, path = "$"): string[] {
  if (Array.isArray(node)) return union(schema, value, node, path);
  if (typeof node === "string") return scalar(value, node, path);
  if ("enum" in node) {
    if (node.open) return typeof value === "string" ? [] : [`${path}: expected one of the enum's strings`];
    return node.enum.includes(value as string) ? [] : [`${path}: ${JSON.stringify(value)} is not in the enum`];
  }
  if ("array" in node) {
    if (!Array.isArray(value)) return [`${path}: expected an array`];
    return value.flatMap((item, index) => shapeProblems(schema, item, node.array, `${path}[${index}]`));
  }
  if ("map" in node) {
    if (!isRecord(value)) return [`${path}: expected a hash`];
    return Object.entries(value).flatMap(([key, item]) => shapeProblems(schema, item, node.map, `${path}.${key}`));
  }
  if ("ref" in node) {
    const type = schema.types[node.ref];
    return type ? object(schema, value, type, path) : [`${path}: the schema has no type ${node.ref}`];
  }
  if ("expandable" in node) {
    if (typeof value === "string") return [];
    return union(
      schema,
      value,
      node.expandable.map((ref) => ({ ref })),
      path,
    );
  }
  if ("list" in node) return page(schema, value, node.list, "list", path);
  if ("search" in node) return page(schema, value, node.search, "search_result", path);
  if ("partial" in node) return [];
  if ("emptyable" in node) return shapeProblems(schema, value, node.emptyable, path);
  return object(schema, value, node, path);
}

function object(schema: StripeSchema, value: unknown, type: InlineObject, path: string): string[] {
  if (!isRecord(value)) return [`${path}: expected a hash, got ${JSON.stringify(value)}`];
  const problems: string[] = [];
  for (const field of type.required ?? []) {
    if (!(field in value)) problems.push(`${path}.${field}: missing`);
  }
  for (const [field, item] of Object.entries(value)) {
    const fieldNode = type.fields[field] ?? type.additional;
    if (fieldNode !== undefined) problems.push(...shapeProblems(schema, item, fieldNode, `${path}.${field}`));
    else problems.push(`${path}.${field}: not declared`);
  }
  return problems;
}

function page(schema: StripeSchema, value: unknown, item: SchemaNode, kind: string, path: string): string[] {
  if (!isRecord(value) || value.object !== kind || !Array.isArray(value.data)) return [`${path}: expected a ${kind}`];
  const problems = value.data.flatMap((each, index) => shapeProblems(schema, each, item, `${path}.data[${index}]`));
  if (typeof value.has_more !== "boolean") problems.push(`${path}.has_more: missing`);
  if (typeof value.url !== "string") problems.push(`${path}.url: missing`);
  return problems;
}

/**
 * The alternative that fits; a Stripe object picks its alternative by the fields that name it first: `object`,
 * `deleted`, an event's `type`.
 */
function union(schema: StripeSchema, value: unknown, alternatives: readonly SchemaNode[], path: string): string[] {
  if (value === null && alternatives.includes("null")) return [];
  const candidates = alternatives.filter((alternative) => namedBy(schema, value, alternative));
  const tried = (candidates.length > 0 ? candidates : alternatives).map((alternative) =>
    shapeProblems(schema, value, alternative, path),
  );
  if (tried.some((problems) => problems.length === 0)) return [];
  return tried.sort((a, b) => a.length - b.length)[0] ?? [`${path}: fits no alternative`];
}

function namedBy(schema: StripeSchema, value: unknown, node: SchemaNode): boolean {
  if (!isRecord(value) || typeof node !== "object" || Array.isArray(node) || !("ref" in node)) return false;
  const type = schema.types[node.ref];
  if (!type) return false;
  if (
    type.object !== undefined &&
    (type.object !== value.object || (type.deleted === true) !== (value.deleted === true))
  ) {
    return false;
  }
  return Object.entries(type.fields).every(([field, fieldNode]) => {
    const single = typeof fieldNode === "object" && "enum" in fieldNode && fieldNode.enum.length === 1;
    return !single || (fieldNode as { enum: unknown[] }).enum[0] === value[field];
  });
}

function scalar(value: unknown, kind: Extract<SchemaNode, string>, path: string): string[] {
  const fits =
    kind === "string"
      ? typeof value === "string"
      : kind === "number"
        ? typeof value === "number"
        : kind === "boolean"
          ? typeof value === "boolean"
          : kind === "decimal"
            ? typeof value === "string" || typeof value === "number"
            : kind === "null"
              ? value === null
              : true;
  return fits ? [] : [`${path}: expected ${kind}, got ${JSON.stringify(value)}`];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
