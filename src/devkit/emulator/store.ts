import { randomBytes } from "node:crypto";
import { noSuch } from "./errors.js";

/** Any Stripe API object: an id and its `object` type name. */
export interface StripeObject {
  id: string;
  object: string;
}

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** Stripe's ids: a type prefix and random base62, e.g. `cus_Q9xK2mP4rT7wZb`. */
export function stripeId(prefix: string, length = 24): string {
  let id = "";
  for (let index = 0; index < length; index++) id += ALPHABET[randomByte() % ALPHABET.length];
  return `${prefix}_${id}`;
}

// Random bytes drawn a few kilobytes at a time: one call per id cost more than the rest of a simple request.
let pool = Buffer.alloc(0);
let taken = 0;

function randomByte(): number {
  if (taken === pool.length) {
    pool = randomBytes(4096);
    taken = 0;
  }
  return pool[taken++] as number;
}

/** Told of every write, so a journal can keep the state on disk (`emulator --data`). */
export interface StoreWrites {
  /** Inserted or changed: the journal saves the object as it is when the request ends. */
  written(object: StripeObject): void;
  removed(object: StripeObject): void;
}

/**
 * The emulator's whole state, in memory: every object by id, and per type the ids in creation order, which is
 * the order Stripe's lists run backwards in (newest first). A removed object leaves a hole in its type's order, so
 * every other keeps its position and a list page starts at its cursor without a search. Every write goes through `insert`, `update` or
 * `remove`; a route may still set a field directly on an object it wrote in the same request.
 */
export class ObjectStore {
  private readonly objects = new Map<string, StripeObject>();
  private readonly byType = new Map<string, (string | undefined)[]>();
  private readonly position = new Map<string, number>();
  private readonly deleted = new Map<string, StripeObject>();

  constructor(private readonly writes?: StoreWrites) {}

  insert<T extends StripeObject>(object: T): T {
    this.add(object);
    this.writes?.written(object);
    return object;
  }

  /** The object, or a 404 `resource_missing` naming it as Stripe does ("No such customer"). */
  get<T extends StripeObject>(type: T["object"], id: string, param = "id"): T {
    const object = this.objects.get(id);
    if (!object || object.object !== type) throw noSuch(type.replaceAll("_", " ").replace("checkout.", ""), id, param);
    return object as T;
  }

  find(id: string): StripeObject | undefined {
    return this.objects.get(id);
  }

  /** Replaces fields in place, so every reference sees them; returns the fields' previous values. */
  update<T extends StripeObject>(object: T, changes: Partial<T>): Partial<T> {
    const previous: Partial<T> = {};
    for (const key of Object.keys(changes) as (keyof T)[]) {
      const before = object[key];
      const after = changes[key];
      if (JSON.stringify(before) === JSON.stringify(after)) continue;
      previous[key] = (key === "metadata" ? metadataBefore(before, after) : before) as T[keyof T];
      object[key] = after as T[keyof T];
    }
    if (Object.keys(previous).length > 0) this.writes?.written(object);
    return previous;
  }

  remove(object: StripeObject): void {
    this.detach(object);
    this.writes?.removed(object);
  }

  /**
   * Puts back an object as the journal saved it, without recording a write. An object already here is refilled
   * in place, so whatever holds it (the event log) sees the saved fields. True when the object is new.
   */
  restore(saved: StripeObject): boolean {
    const present = this.objects.get(saved.id);
    if (!present) {
      this.add(saved);
      return true;
    }
    for (const key of Object.keys(present)) delete (present as unknown as Record<string, unknown>)[key];
    Object.assign(present, saved);
    return false;
  }

  /** Removes as `remove` does, without recording a write: a journal's replay. */
  restoreRemoval(id: string): void {
    const object = this.objects.get(id);
    if (object) this.detach(object);
  }

  wasDeleted(id: string): StripeObject | undefined {
    return this.deleted.get(id);
  }

  /** Live objects, each type's in creation order, then the deleted ones: what a journal needs to rebuild the store. */
  contents(): { live: StripeObject[]; deleted: StripeObject[] } {
    const live: StripeObject[] = [];
    for (const ids of this.byType.values()) {
      for (const id of ids) if (id !== undefined) live.push(this.objects.get(id) as StripeObject);
    }
    return { live, deleted: [...this.deleted.values()] };
  }

  clear(): void {
    this.objects.clear();
    this.byType.clear();
    this.position.clear();
    this.deleted.clear();
  }

  private detach(object: StripeObject): void {
    this.objects.delete(object.id);
    this.deleted.set(object.id, object);
    const ids = this.byType.get(object.object);
    const at = this.position.get(object.id);
    if (ids && at !== undefined) ids[at] = undefined;
    this.position.delete(object.id);
  }

  private add(object: StripeObject): void {
    this.objects.set(object.id, object);
    const ids = this.byType.get(object.object) ?? [];
    this.position.set(object.id, ids.length);
    ids.push(object.id);
    this.byType.set(object.object, ids);
  }

  /** Newest first, as Stripe lists. */
  all<T extends StripeObject>(type: T["object"]): T[] {
    return [...this.newestFirst<T>(type)];
  }

  /** `type`'s objects newest first, from just older than `olderThan` when given (an id of that type). */
  *newestFirst<T extends StripeObject>(type: string, olderThan?: string): Generator<T> {
    const ids = this.byType.get(type) ?? [];
    const start = olderThan === undefined ? ids.length : (this.position.get(olderThan) as number);
    for (let index = start - 1; index >= 0; index--) {
      const id = ids[index];
      if (id !== undefined) yield this.objects.get(id) as T;
    }
  }

  /** `type`'s objects oldest first, from just newer than `newerThan` (an id of that type). */
  *oldestFirst<T extends StripeObject>(type: string, newerThan: string): Generator<T> {
    const ids = this.byType.get(type) ?? [];
    for (let index = (this.position.get(newerThan) as number) + 1; index < ids.length; index++) {
      const id = ids[index];
      if (id !== undefined) yield this.objects.get(id) as T;
    }
  }

  /** A list of `type`'s objects to filter and page through without copying them: what list routes hand `paginate`. */
  query<T extends StripeObject>(type: T["object"]): StoredQuery<T> {
    return new StoredQuery<T>(this, type, () => true);
  }
}

/** Stored objects of one type that pass `where`, newest first; a page walks only as far as it needs. */
export class StoredQuery<T extends StripeObject> {
  constructor(
    readonly store: ObjectStore,
    readonly type: string,
    readonly where: (object: T) => boolean,
  ) {}

  filter(keep: (object: T) => boolean): StoredQuery<T> {
    const where = this.where;
    return new StoredQuery<T>(this.store, this.type, (object) => where(object) && keep(object));
  }

  /** True when `id` is one of this list's objects. */
  has(id: string): boolean {
    const object = this.store.find(id) as T | undefined;
    return object !== undefined && object.object === this.type && this.where(object);
  }
}

/** Stripe's `previous_attributes.metadata` names only the keys that changed: their old value, or null if new. */
function metadataBefore(before: unknown, after: unknown): Record<string, string | null> {
  const old = (before ?? {}) as Record<string, string>;
  const now = (after ?? {}) as Record<string, string>;
  const changed: Record<string, string | null> = {};
  for (const key of new Set([...Object.keys(old), ...Object.keys(now)])) {
    if (old[key] !== now[key]) changed[key] = old[key] ?? null;
  }
  return changed;
}
