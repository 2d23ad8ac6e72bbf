import { readPath, type SearchableResource, type SearchField } from "./fields.js";
import { type SearchClause, type SearchQuery, SearchQueryError } from "./query.js";

/** Stripe's shortest substring for `~`. */
export const MIN_SUBSTRING = 3;

type Predicate = (object: Record<string, unknown>) => boolean;

/**
 * Checks every clause against the resource's fields (a field it does not search, an operator its type does not
 * take, a value of the wrong kind) and returns the test the query makes of an object.
 */
export function compileSearch(query: SearchQuery, resource: SearchableResource): Predicate {
  const tests = query.clauses.map((clause) => {
    const test = clauseTest(clause, resource);
    return clause.negated ? (object: Record<string, unknown>) => !test(object) : test;
  });
  return query.join === "AND"
    ? (object) => tests.every((test) => test(object))
    : (object) => tests.some((test) => test(object));
}

function clauseTest(clause: SearchClause, resource: SearchableResource): Predicate {
  if (clause.field === "metadata" && clause.metadataKey !== undefined) return metadataTest(clause, clause.metadataKey);
  const field = resource.fields[clause.field];
  if (!field) {
    throw new SearchQueryError(
      `Field '${clause.field}' is an unsupported search field for resource ${resource.resource}. See https://stripe.com/docs/search#query-fields-for-${resource.resource.replaceAll("_", "")} for a list of supported fields.`,
    );
  }
  const read = field.read ?? ((object: Record<string, unknown>) => readPath(object, clause.field));
  if (clause.value === null) {
    if (clause.operator !== ":") throw unsupported(clause, field, "null can only be matched with ':'");
    return (object) => read(object) === null || read(object) === undefined;
  }
  switch (field.type) {
    case "string":
      return stringTest(clause, field, read);
    case "token":
      if (clause.operator !== ":") throw unsupported(clause, field, "it takes ':' only");
      return (object) => present(read(object)) === String(clause.value);
    case "numeric":
      return numericTest(clause, field, read);
    case "boolean": {
      if (clause.operator !== ":") throw unsupported(clause, field, "it takes ':' only");
      const wanted = String(clause.value);
      if (wanted !== "true" && wanted !== "false") throw wrongValue(clause, "true or false");
      return (object) => present(read(object)) === wanted;
    }
  }
}

function stringTest(
  clause: SearchClause,
  field: SearchField,
  read: (o: Record<string, unknown>) => unknown,
): Predicate {
  const wanted = String(clause.value).toLowerCase();
  if (clause.operator === ":") return (object) => lower(read(object)) === wanted;
  if (clause.operator === "~") {
    tooShort(clause, wanted);
    return (object) => lower(read(object))?.includes(wanted) ?? false;
  }
  throw unsupported(clause, field, "it takes ':' and '~'");
}

function numericTest(
  clause: SearchClause,
  field: SearchField,
  read: (o: Record<string, unknown>) => unknown,
): Predicate {
  if (clause.operator === "~") throw unsupported(clause, field, "it takes ':', '>', '>=', '<' and '<='");
  const wanted = typeof clause.value === "number" ? clause.value : Number(clause.value);
  if (typeof clause.value === "boolean" || String(clause.value).trim() === "" || Number.isNaN(wanted)) {
    throw wrongValue(clause, "a number");
  }
  const compare = COMPARISONS[clause.operator];
  return (object) => {
    const value = read(object);
    return typeof value === "number" && compare(value, wanted);
  };
}

const COMPARISONS: Record<Exclude<SearchClause["operator"], "~">, (value: number, wanted: number) => boolean> = {
  ":": (value, wanted) => value === wanted,
  ">": (value, wanted) => value > wanted,
  ">=": (value, wanted) => value >= wanted,
  "<": (value, wanted) => value < wanted,
  "<=": (value, wanted) => value <= wanted,
};

/** `metadata["key"]:"v"` matches the value exactly, `~` a substring; `metadata["key"]:null` an absent key. */
function metadataTest(clause: SearchClause, key: string): Predicate {
  const metadataValue = (object: Record<string, unknown>) =>
    (object.metadata as Record<string, string> | null | undefined)?.[key];
  if (clause.value === null) {
    if (clause.operator !== ":") throw wrongOperator(clause, "null can only be matched with ':'");
    return (object) => metadataValue(object) === undefined;
  }
  const wanted = String(clause.value);
  if (clause.operator === ":") return (object) => metadataValue(object) === wanted;
  if (clause.operator === "~") {
    tooShort(clause, wanted);
    return (object) => metadataValue(object)?.includes(wanted) ?? false;
  }
  throw wrongOperator(clause, "metadata takes ':' and '~'");
}

function tooShort(clause: SearchClause, wanted: string): void {
  if (wanted.length < MIN_SUBSTRING) {
    throw new SearchQueryError(
      `Invalid search query: a substring match (~) needs at least ${MIN_SUBSTRING} characters; ${name(clause)}~"${String(clause.value)}" has ${wanted.length}.`,
    );
  }
}

function unsupported(clause: SearchClause, field: SearchField, takes: string): SearchQueryError {
  return wrongOperator(clause, `${clause.field} is a ${field.type} field: ${takes}`);
}

function wrongOperator(clause: SearchClause, why: string): SearchQueryError {
  return new SearchQueryError(
    `Invalid search query: ${name(clause)} cannot be used with '${clause.operator}' (${why}).`,
  );
}

function wrongValue(clause: SearchClause, expected: string): SearchQueryError {
  return new SearchQueryError(
    `Invalid search query: ${name(clause)} takes ${expected}, not ${JSON.stringify(clause.value)}.`,
  );
}

function name(clause: SearchClause): string {
  return clause.metadataKey === undefined ? clause.field : `metadata["${clause.metadataKey}"]`;
}

/** The value as search indexes it: a string, or undefined when the object has none. */
function present(value: unknown): string | undefined {
  return value === null || value === undefined ? undefined : String(value);
}

function lower(value: unknown): string | undefined {
  return present(value)?.toLowerCase();
}
