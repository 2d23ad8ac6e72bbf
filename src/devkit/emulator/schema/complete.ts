import type { InlineObject, SchemaNode, SchemaObject, StripeSchema } from "./types.js";

/**
 * Adds, in place, every field the `stripe` package declares always present that an answer lacks: `null` where
 * the field may be null (Stripe's value for what does not apply), `[]`, `{}` or the nested object where it may
 * not. A scalar that can be neither null nor guessed (a required string, number or enum) is left to the resource
 * that builds the object. Objects inside are completed by their own declared type, lists and expansions included.
 */
export function completeShape(schema: StripeSchema, value: unknown, node: SchemaNode): void {
  new Completer(schema).complete(value, node);
}

/** Completes a Stripe object by the type its `object` names; an object type the schema does not know is left. */
export function completeObject(schema: StripeSchema, object: { object: string }): void {
  const ref = schema.objects[object.object];
  if (ref !== undefined) completeShape(schema, object, { ref });
}

class Completer {
  /** Per type, the fields that name it: `object`, and those with a single allowed value (an event's `type`). */
  private readonly names = new Map<string, [string, unknown][]>();

  constructor(private readonly schema: StripeSchema) {}

  complete(value: unknown, node: SchemaNode): void {
    if (value === null || typeof value !== "object") return;
    if (Array.isArray(node)) {
      const alternative = this.alternativeFor(value, node);
      if (alternative !== undefined) this.complete(value, alternative);
    } else if (typeof node === "string" || "enum" in node || "partial" in node) {
      // scalars, and partial objects whose fields are all optional
    } else if ("array" in node) {
      if (Array.isArray(value)) for (const item of value) this.complete(item, node.array);
    } else if ("map" in node) {
      for (const item of Object.values(value)) this.complete(item, node.map);
    } else if ("ref" in node) {
      const type = this.schema.types[node.ref];
      if (type) this.object(value as Record<string, unknown>, type);
    } else if ("expandable" in node) {
      this.complete(
        value,
        node.expandable.map((ref) => ({ ref })),
      );
    } else if ("list" in node || "search" in node) {
      const item = "list" in node ? node.list : node.search;
      const data = (value as { data?: unknown }).data;
      if (Array.isArray(data)) for (const each of data) this.complete(each, item);
    } else if ("emptyable" in node) {
      this.complete(value, node.emptyable);
    } else {
      this.object(value as Record<string, unknown>, node);
    }
  }

  private object(value: Record<string, unknown>, type: InlineObject): void {
    if (Array.isArray(value)) return;
    for (const field of type.required ?? []) {
      if (field in value) continue;
      const fieldNode = type.fields[field];
      if (fieldNode === undefined) continue;
      const filler = this.emptyValue(fieldNode);
      if (filler !== undefined) value[field] = filler;
    }
    for (const [field, item] of Object.entries(value)) {
      const fieldNode = type.fields[field] ?? type.additional;
      if (fieldNode !== undefined) this.complete(item, fieldNode);
    }
  }

  /** What Stripe shows for a field that does not apply: null if it may be, else an empty array, hash or object. */
  private emptyValue(node: SchemaNode): unknown {
    if (Array.isArray(node)) {
      if (node.includes("null")) return null;
      for (const alternative of node) {
        const empty = this.emptyValue(alternative);
        if (empty !== undefined) return empty;
      }
      return undefined;
    }
    if (typeof node === "string") return node === "null" ? null : undefined;
    if ("array" in node) return [];
    if ("map" in node) return {};
    if ("ref" in node || "fields" in node) {
      const type: SchemaObject | InlineObject | undefined = "ref" in node ? this.schema.types[node.ref] : node;
      // A Stripe object (it has an `object` type) cannot be made up: only its id or null could stand here.
      if (!type || ("object" in type && type.object !== undefined)) return undefined;
      const empty: Record<string, unknown> = {};
      this.object(empty, type);
      return empty;
    }
    return undefined;
  }

  /**
   * For a union, the alternative the value is: a Stripe object by the fields that name it (`object`, `deleted`,
   * an event's `type`), else the first hash.
   */
  private alternativeFor(value: object, alternatives: readonly SchemaNode[]): SchemaNode | undefined {
    const record = value as Record<string, unknown>;
    const structured = alternatives.filter((alternative) => typeof alternative === "object");
    if (Array.isArray(value)) return structured.find((alternative) => "array" in (alternative as object));
    const named = structured.find((alternative) =>
      refsOf(alternative).some((ref) =>
        this.namesOf(ref).every(
          ([field, wanted]) => (field === "deleted" ? record.deleted === true : record[field]) === wanted,
        ),
      ),
    );
    return named ?? structured.find((alternative) => !("array" in (alternative as object)));
  }

  private namesOf(ref: string): [string, unknown][] {
    let names = this.names.get(ref);
    if (names === undefined) {
      const type = this.schema.types[ref];
      names = [];
      if (type?.object !== undefined) names.push(["object", type.object], ["deleted", type.deleted === true]);
      for (const [field, node] of Object.entries(type?.fields ?? {})) {
        if (typeof node === "object" && "enum" in node && node.enum.length === 1) names.push([field, node.enum[0]]);
      }
      this.names.set(ref, names);
    }
    return names;
  }
}

function refsOf(node: SchemaNode): string[] {
  if (typeof node !== "object" || Array.isArray(node)) return [];
  if ("ref" in node) return [node.ref];
  if ("expandable" in node) return node.expandable;
  return [];
}
