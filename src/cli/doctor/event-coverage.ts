/**
 * Event patterns as `enabled_events` and `inbox.on` take them: an exact type, a dotted prefix with `.*`
 * (`invoice.*`, `customer.subscription.*`), or `*` for every type.
 */
function prefixOf(pattern: string): string | null {
  if (pattern === "*") return "";
  return pattern.endsWith(".*") ? pattern.slice(0, -1) : null;
}

/** Some event type matches both patterns. */
export function overlaps(a: string, b: string): boolean {
  const pa = prefixOf(a);
  const pb = prefixOf(b);
  if (pa === null && pb === null) return a === b;
  if (pa === null) return a.startsWith(pb as string);
  if (pb === null) return b.startsWith(pa);
  return pa.startsWith(pb) || pb.startsWith(pa);
}

/** Every event type `inner` matches, `outer` matches too. */
export function covers(outer: string, inner: string): boolean {
  const po = prefixOf(outer);
  if (po === null) return outer === inner;
  const pi = prefixOf(inner);
  return (pi ?? inner).startsWith(po);
}

export interface Coverage {
  /** Enabled on the endpoint, delivered and stored, but no handler takes (all of) them. */
  unhandled: string[];
  /** A handler waits for them, but the endpoint is not enabled for any: Stripe never delivers them. */
  notEnabled: string[];
}

/**
 * An enabled pattern is unhandled unless one handler covers it whole (`*` enabled needs a `*` handler). A handler
 * is not enabled when no enabled pattern overlaps it: an `invoice.*` handler with only `invoice.paid` enabled is
 * the usual choice, not a mistake.
 */
export function compareCoverage(enabled: readonly string[], handled: readonly string[]): Coverage {
  return {
    unhandled: enabled.filter((type) => !handled.some((pattern) => covers(pattern, type))),
    notEnabled: handled.filter((pattern) => !enabled.some((type) => overlaps(type, pattern))),
  };
}
