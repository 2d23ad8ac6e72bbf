/**
 * The mirror's relation for a Stripe `object` value: the plural snake_case of the object, with its namespace
 * kept (`checkout.session` -> `checkout_sessions`, `issuing.card` -> `issuing_cards`, apart from `cards`) except
 * for the namespaces below, whose objects have no un-namespaced twin to be told apart from.
 */
const DROPPED_NAMESPACES = ["radar.", "test_helpers."];

/** What a Stripe object name may look like; anything else (v2 objects, garbage) is not mirrored. */
const OBJECT_NAME = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/;
const MAX_IDENTIFIER = 63;

export function tableForObject(object: string): string | null {
  if (!OBJECT_NAME.test(object) || object.startsWith("v2.")) return null;
  const namespace = DROPPED_NAMESPACES.find((prefix) => object.startsWith(prefix));
  const name = (namespace ? object.slice(namespace.length) : object).replaceAll(".", "_");
  const cut = name.lastIndexOf("_") + 1;
  const table = name.slice(0, cut) + pluralize(name.slice(cut));
  return table.length <= MAX_IDENTIFIER ? table : null;
}

/** English plural of one lower-case word, for the words Stripe uses in object names. */
export function pluralize(word: string): string {
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`; // entity, capability, summary
  if (/(ss|us|x|z|ch|sh)$/.test(word)) return `${word}es`; // address, status, tax, batch
  if (word.endsWith("s")) return word; // already plural: settings, features
  return `${word}s`;
}
