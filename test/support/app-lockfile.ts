/**
 * A package-lock.json for a throwaway app that depends on the packed tarball and a few of the packages this
 * repository's lockfile pins. With it, `npm ci` installs from the npm cache that installing this repository filled,
 * without asking the registry to resolve anything: offline when the cache has every tarball, and the same versions
 * the rest of the suite runs against.
 */

export interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [field: string]: unknown;
}

export interface Lockfile {
  name?: string;
  lockfileVersion: number;
  packages: Record<string, LockEntry>;
  [field: string]: unknown;
}

export interface PackedPackage {
  /** The tarball's file name, placed in the app's folder. */
  filename: string;
  integrity: string;
  /** The package.json inside the tarball: what npm reads when it installs it. */
  manifest: LockEntry & { name: string; version: string };
}

/**
 * The app depends on the tarball and on `dependencies` (names the repository's lockfile has at its top level).
 * Everything they need is copied from the repository's lockfile at the place it has there, which keeps the tree
 * valid: a name resolves from any copied package to the same copy as in the full tree. Packages reachable only
 * through optional dependencies (the platform binaries of next and sharp) are marked optional, so that
 * `npm ci --omit=optional` leaves them out; optional peers are left out of the tree.
 */
export function appLockfile(repository: Lockfile, packed: PackedPackage, dependencies: readonly string[]): Lockfile {
  const packages: Record<string, LockEntry> = {};
  const rootDependencies: Record<string, string> = { [packed.manifest.name]: `file:${packed.filename}` };
  const pending: string[] = [];

  const optional = new Set<string>();

  const need = (from: string, name: string, dependent: string, throughOptional: boolean) => {
    const location = resolveLocation(repository, from, name);
    if (location === undefined) {
      if (throughOptional) return;
      throw new Error(`${dependent} needs ${name}, which this repository's package-lock.json does not have.`);
    }
    const known = location in packages;
    // A package first reached through an optional edge may be needed by a required one later: walk it again.
    if (!known || (optional.has(location) && !throughOptional)) {
      packages[location] = withoutFlags(repository.packages[location] ?? {});
      if (throughOptional) optional.add(location);
      else optional.delete(location);
      pending.push(location);
    }
  };
  const needAll = (from: string, entry: LockEntry, dependent: string, throughOptional: boolean) => {
    for (const name of requiredDependencies(entry)) need(from, name, dependent, throughOptional);
    for (const name of Object.keys(entry.optionalDependencies ?? {})) need(from, name, dependent, true);
  };

  for (const name of dependencies) {
    need("", name, "the app", false);
    rootDependencies[name] = String(repository.packages[`node_modules/${name}`]?.version);
  }
  // The tarball's own dependencies resolve from the top of the tree, where npm puts them.
  needAll("", packed.manifest, packed.manifest.name, false);
  while (pending.length > 0) {
    const location = pending.pop() as string;
    needAll(location, packages[location] ?? {}, location, optional.has(location));
  }
  for (const location of optional) (packages[location] as LockEntry).optional = true;

  const {
    name,
    version,
    dependencies: ownDependencies,
    peerDependencies,
    peerDependenciesMeta,
    bin,
    engines,
  } = packed.manifest;
  packages[`node_modules/${name}`] = {
    version,
    resolved: `file:${packed.filename}`,
    integrity: packed.integrity,
    ...(ownDependencies && { dependencies: ownDependencies }),
    ...(packed.manifest.optionalDependencies && { optionalDependencies: packed.manifest.optionalDependencies }),
    ...(peerDependencies && { peerDependencies }),
    ...(peerDependenciesMeta && { peerDependenciesMeta }),
    ...(bin !== undefined && { bin }),
    ...(engines !== undefined && { engines }),
  };
  return {
    name: "app",
    lockfileVersion: 3,
    requires: true,
    packages: { "": { name: "app", dependencies: rootDependencies }, ...packages },
  };
}

/** Dependencies and the peers not marked optional. */
function requiredDependencies(entry: LockEntry): string[] {
  const peers = Object.keys(entry.peerDependencies ?? {}).filter(
    (name) => entry.peerDependenciesMeta?.[name]?.optional !== true,
  );
  return [...Object.keys(entry.dependencies ?? {}), ...peers];
}

/** Node's lookup: `name` in the nearest node_modules folder from `from` up to the root. */
function resolveLocation(lock: Lockfile, from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = `${base === "" ? "" : `${base}/`}node_modules/${name}`;
    if (candidate in lock.packages) return candidate;
    if (base === "") return undefined;
    const parent = base.lastIndexOf("/node_modules/");
    base = parent === -1 ? "" : base.slice(0, parent);
  }
}

/** The repository's dev/optional/peer flags describe its own tree, not the app's. */
function withoutFlags(entry: LockEntry): LockEntry {
  const { dev: _dev, devOptional: _devOptional, optional: _optional, peer: _peer, ...rest } = entry;
  return rest;
}
