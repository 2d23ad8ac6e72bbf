/**
 * Stripe's search query language (https://docs.stripe.com/search#search-query-language), parsed:
 * `email:"a@b.co" AND -metadata["plan"]:"pro" AND created>1700000000`. A query is clauses joined by AND
 * (or spaces) or by OR, never both; a clause is an optional `-`, a field, an operator and a value.
 */
export interface SearchQuery {
  join: "AND" | "OR";
  clauses: SearchClause[];
}

export interface SearchClause {
  negated: boolean;
  /** `email`, `payment_method_details.card.last4`, or `metadata` with `metadataKey` set. */
  field: string;
  metadataKey?: string;
  operator: SearchOperator;
  /** A quoted string, a bare number, `true`/`false`, or `null` (the field has no value). */
  value: string | number | boolean | null;
  /** True when the value was written in quotes: `"123"` is a string even where `123` reads as a number. */
  quoted: boolean;
}

export type SearchOperator = ":" | "~" | ">" | ">=" | "<" | "<=";

/** A query Stripe cannot parse; the route answers it as a 400 naming `query`. */
export class SearchQueryError extends Error {
  override name = "SearchQueryError";
}

/** Stripe's limit on clauses in one query. */
export const MAX_CLAUSES = 10;

export function parseSearchQuery(text: string): SearchQuery {
  return new Parser(text).query();
}

const FIELD_PART = /[A-Za-z0-9_]/;
const BARE_VALUE = /[^\s"']/;
const NUMBER = /^-?\d+(\.\d+)?$/;

class Parser {
  private at = 0;

  constructor(private readonly text: string) {}

  query(): SearchQuery {
    const clauses: SearchClause[] = [];
    const joins = new Set<"AND" | "OR">();
    this.skipSpaces();
    if (this.done()) throw this.error("the query is empty");
    for (;;) {
      clauses.push(this.clause());
      const spaced = this.skipSpaces();
      if (this.done()) break;
      const keyword = this.keyword();
      if (keyword !== undefined) {
        joins.add(keyword);
        if (this.skipSpaces() === 0 || this.done()) throw this.error(`expected a clause after ${keyword}`);
      } else if (spaced > 0) {
        joins.add("AND"); // clauses separated by spaces only are joined with AND
      } else {
        throw this.error("expected a space, AND or OR between clauses");
      }
    }
    if (joins.size > 1) {
      throw new SearchQueryError(
        "Invalid search query: AND and OR cannot be combined in one query (a space between clauses is an AND).",
      );
    }
    if (clauses.length > MAX_CLAUSES) {
      throw new SearchQueryError(
        `Invalid search query: a query can have at most ${MAX_CLAUSES} clauses; this one has ${clauses.length}.`,
      );
    }
    return { join: joins.has("OR") ? "OR" : "AND", clauses };
  }

  private clause(): SearchClause {
    const negated = this.text[this.at] === "-";
    if (negated) this.at++;
    const field = this.fieldName();
    const metadataKey = field === "metadata" ? this.metadataKey() : undefined;
    const operator = this.operator(field);
    const { value, quoted } = this.value(field);
    return { negated, field, ...(metadataKey !== undefined && { metadataKey }), operator, value, quoted };
  }

  private fieldName(): string {
    const start = this.at;
    while (!this.done() && (FIELD_PART.test(this.peek()) || (this.peek() === "." && this.at > start))) this.at++;
    const field = this.text.slice(start, this.at);
    if (field === "" || field.endsWith(".")) throw this.error("expected a field name");
    return field;
  }

  /** `metadata["key"]` or `metadata['key']`: the key is always quoted. */
  private metadataKey(): string {
    if (this.peek() !== "[") throw this.error('expected ["key"] after metadata');
    this.at++;
    const quote = this.peek();
    if (quote !== '"' && quote !== "'") throw this.error('expected a quoted key in metadata["key"]');
    const key = this.quoted();
    if (this.peek() !== "]") throw this.error('expected ] after the key in metadata["key"]');
    this.at++;
    if (key === "") throw this.error("a metadata key cannot be empty");
    return key;
  }

  private operator(field: string): SearchOperator {
    const two = this.text.slice(this.at, this.at + 2);
    if (two === ">=" || two === "<=") {
      this.at += 2;
      return two;
    }
    const one = this.peek();
    if (one === ":" || one === "~" || one === ">" || one === "<") {
      this.at++;
      return one;
    }
    throw this.error(`expected an operator (:, ~, >, >=, <, <=) after ${field}`);
  }

  private value(field: string): { value: SearchClause["value"]; quoted: boolean } {
    const next = this.peek();
    if (next === '"' || next === "'") return { value: this.quoted(), quoted: true };
    const start = this.at;
    while (!this.done() && BARE_VALUE.test(this.peek())) this.at++;
    const bare = this.text.slice(start, this.at);
    if (bare === "") throw this.error(`expected a value after ${field}`);
    if (bare === "null") return { value: null, quoted: false };
    if (bare === "true" || bare === "false") return { value: bare === "true", quoted: false };
    if (NUMBER.test(bare)) return { value: Number(bare), quoted: false };
    this.at = start;
    throw this.error(`string values must be quoted: ${field}:"${bare}"`);
  }

  /** A string in single or double quotes; a backslash escapes the quote or a backslash. */
  private quoted(): string {
    const quote = this.peek();
    const start = this.at;
    this.at++;
    let value = "";
    while (!this.done() && this.peek() !== quote) {
      if (this.peek() === "\\" && this.at + 1 < this.text.length) this.at++;
      value += this.peek();
      this.at++;
    }
    if (this.done()) {
      this.at = start;
      throw this.error(`the string starting here has no closing ${quote}`);
    }
    this.at++;
    return value;
  }

  private keyword(): "AND" | "OR" | undefined {
    const match = /^(AND|OR)(?=\s|$)/i.exec(this.text.slice(this.at));
    if (!match) return undefined;
    this.at += match[0].length;
    return match[0].toUpperCase() as "AND" | "OR";
  }

  private skipSpaces(): number {
    const start = this.at;
    while (!this.done() && /\s/.test(this.peek())) this.at++;
    return this.at - start;
  }

  private peek(): string {
    return this.text[this.at] ?? "";
  }

  private done(): boolean {
    return this.at >= this.text.length;
  }

  private error(expected: string): SearchQueryError {
    const shown = this.done()
      ? "the end of the query"
      : `character ${this.at + 1} (${this.text.slice(this.at, this.at + 12)})`;
    return new SearchQueryError(`Invalid search query: ${expected}, at ${shown}.`);
  }
}
