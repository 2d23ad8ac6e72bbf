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
  const bytes = randomBytes(length);
  let id = "";
  for (const byte of bytes) id += ALPHABET[byte % ALPHABET.length];
  return `${prefix}_${id}`;
}

/** Told of every write, so a journal can keep the state on disk (`emulator --data`). */
export interface StoreWrites {
  /** Inserted or changed: the journal saves the object as it is when the request ends. */
  written(object: StripeObject): void;
  removed(object: StripeObject): void;
}

/**
 * The emulator's whole state, in memory: every object by id, and per type the ids in creation order, which is
 * the order Stripe's lists run backwards in (newest first). Every write goes through `insert`, `update` or
 * `remove`; a route may still set a field directly on an object it wrote in the same request.
 */
export class ObjectStore {
  private readonly objects = new Map<string, StripeObject>();
  private readonly byType = new Map<string, string[]>();
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
    for (const ids of this.byType.values()) for (const id of ids) live.push(this.objects.get(id) as StripeObject);
    return { live, deleted: [...this.deleted.values()] };
  }

  clear(): void {
    this.objects.clear();
    this.byType.clear();
    this.deleted.clear();
  }

  private detach(object: StripeObject): void {
    this.objects.delete(object.id);
    this.deleted.set(object.id, object);
    const ids = this.byType.get(object.object);
    if (ids) ids.splice(ids.indexOf(object.id), 1);
  }

  private add(object: StripeObject): void {
    this.objects.set(object.id, object);
    const ids = this.byType.get(object.object) ?? [];
    ids.push(object.id);
    this.byType.set(object.object, ids);
  }

  /** Newest first, as Stripe lists. */
  all<T extends StripeObject>(type: T["object"]): T[] {
    const ids = this.byType.get(type) ?? [];
    const list: T[] = [];
    for (let index = ids.length - 1; index >= 0; index--) list.push(this.objects.get(ids[index] as string) as T);
    return list;
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
