// Reads the `stripe` package's .d.ts files without type-checking them: each module's interfaces, type aliases,
// classes and namespaces, and how a name written in one of them (`Checkout.SessionCreateParams.LineItem`,
// an imported `Customer`) resolves, the way TypeScript scopes it. Parsing alone keeps the aliases the package
// writes (`Emptyable`, `MetadataParam`) that a type checker would expand away.
import { readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";

export type TypeDeclaration =
  | { kind: "interface"; name: string; nodes: ts.InterfaceDeclaration[]; scope: Scope; module: Module }
  | { kind: "alias"; name: string; node: ts.TypeAliasDeclaration; scope: Scope; module: Module }
  | { kind: "class"; name: string; node: ts.ClassDeclaration; scope: Scope; module: Module };

/** A name in a scope: a type, a namespace, or both (an interface and the namespace of its nested types). */
interface ScopeEntry {
  type?: TypeDeclaration;
  namespace?: Scope;
  /** `export import X = A.B` and `export { X }` inside a namespace: the entry is another name's. */
  alias?: { name: string[]; scope: Scope };
}

export class Scope {
  readonly entries = new Map<string, ScopeEntry>();
  constructor(
    readonly module: Module,
    /** The path of this scope inside its module: `""` at the top, `"Checkout.SessionCreateParams."` inside. */
    readonly prefix: string,
    readonly parent: Scope | undefined,
  ) {}

  entry(name: string): ScopeEntry {
    let found = this.entries.get(name);
    if (!found) {
      found = {};
      this.entries.set(name, found);
    }
    return found;
  }
}

export interface Module {
  file: string;
  /** `Checkout.` for resources/Checkout/Sessions.d.ts: the namespace the package exports its types under. */
  publicPrefix: string;
  top: Scope;
  imports: Map<string, { file: string; name: string }>;
  reexports: Map<string, { file: string; name: string }>;
}

export class DeclarationIndex {
  private readonly modules = new Map<string, Module>();
  /** Every file read, for the schema's input hash. */
  readonly filesRead = new Set<string>();

  constructor(private readonly resourcesDir: string) {}

  module(file: string): Module {
    const known = this.modules.get(file);
    if (known) return known;
    const text = readFileSync(file, "utf8");
    this.filesRead.add(file);
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
    const relative = path.relative(this.resourcesDir, path.dirname(file));
    const inResources = !relative.startsWith("..") && !path.isAbsolute(relative);
    const module: Module = {
      file,
      publicPrefix: inResources && relative !== "" ? `${relative.split(path.sep).join(".")}.` : "",
      top: undefined as unknown as Scope,
      imports: new Map(),
      reexports: new Map(),
    };
    module.top = new Scope(module, "", undefined);
    this.modules.set(file, module);
    for (const statement of source.statements) this.declare(module, module.top, statement);
    return module;
  }

  /** The type a reference like `A.B.C` names, looked up from `scope` outwards as TypeScript does. */
  resolve(name: ts.EntityName, scope: Scope): TypeDeclaration | undefined {
    return this.resolveParts(entityParts(name), scope)?.type;
  }

  private resolveParts(parts: string[], scope: Scope): ScopeEntry | undefined {
    const [first, ...rest] = parts;
    let entry = this.followed(this.lookup(first as string, scope));
    for (const part of rest) entry = this.followed(entry?.namespace && this.member(entry.namespace, part));
    return entry;
  }

  /** A name inside a namespace; a module's top scope (`import * as Billing`) also has what it re-exports. */
  private member(namespace: Scope, name: string): ScopeEntry | undefined {
    if (namespace.parent) return namespace.entries.get(name);
    return this.exported(namespace.module.file, name);
  }

  private followed(entry: ScopeEntry | undefined): ScopeEntry | undefined {
    return entry?.alias ? this.resolveParts(entry.alias.name, entry.alias.scope) : entry;
  }

  /** The public name of a declaration: `Checkout.SessionCreateParams.LineItem`, `Customer`, `MetadataParam`. */
  static publicName(module: Module, qualified: string): string {
    return qualified.startsWith(module.publicPrefix) ? qualified : `${module.publicPrefix}${qualified}`;
  }

  private lookup(name: string, scope: Scope): ScopeEntry | undefined {
    for (let current: Scope | undefined = scope; current; current = current.parent) {
      const entry = current.entries.get(name);
      if (entry && (entry.type || entry.namespace || entry.alias)) return entry;
    }
    const imported = scope.module.imports.get(name);
    return imported ? this.exported(imported.file, imported.name) : undefined;
  }

  private exported(file: string, name: string): ScopeEntry | undefined {
    const module = this.module(file);
    if (name === "*") return { namespace: module.top };
    const entry = module.top.entries.get(name);
    if (entry) return entry;
    const reexport = module.reexports.get(name);
    return reexport ? this.exported(reexport.file, reexport.name) : undefined;
  }

  private declare(module: Module, scope: Scope, statement: ts.Statement): void {
    if (ts.isImportDeclaration(statement)) {
      const from = importedFile(module.file, statement.moduleSpecifier);
      const bindings = statement.importClause?.namedBindings;
      if (from && bindings && ts.isNamespaceImport(bindings)) {
        module.imports.set(bindings.name.text, { file: from, name: "*" });
      }
      if (from && bindings && ts.isNamedImports(bindings)) {
        for (const element of bindings.elements) {
          module.imports.set(element.name.text, { file: from, name: (element.propertyName ?? element.name).text });
        }
      }
      return;
    }
    if (ts.isImportEqualsDeclaration(statement) && ts.isEntityName(statement.moduleReference)) {
      // Looked up from the enclosing scope, so `export import X = NS.X` does not find itself.
      const outer = scope.parent ?? scope;
      scope.entry(statement.name.text).alias = { name: entityParts(statement.moduleReference), scope: outer };
      return;
    }
    if (ts.isExportDeclaration(statement) && !statement.moduleSpecifier && scope.parent) {
      const clause = statement.exportClause;
      if (clause && ts.isNamedExports(clause)) {
        for (const element of clause.elements) {
          const target = (element.propertyName ?? element.name).text;
          scope.entry(element.name.text).alias = { name: [target], scope: scope.parent };
        }
      }
      return;
    }
    if (ts.isExportDeclaration(statement) && statement.moduleSpecifier) {
      const from = importedFile(module.file, statement.moduleSpecifier);
      const clause = statement.exportClause;
      if (from && clause && ts.isNamedExports(clause)) {
        for (const element of clause.elements) {
          module.reexports.set(element.name.text, { file: from, name: (element.propertyName ?? element.name).text });
        }
      }
      return;
    }
    const qualified = (name: string) => DeclarationIndex.publicName(module, `${scope.prefix}${name}`);
    if (ts.isInterfaceDeclaration(statement)) {
      const entry = scope.entry(statement.name.text);
      if (entry.type?.kind === "interface") entry.type.nodes.push(statement);
      else
        entry.type = {
          kind: "interface",
          name: qualified(statement.name.text),
          nodes: [statement],
          scope,
          module,
        };
    } else if (ts.isTypeAliasDeclaration(statement)) {
      scope.entry(statement.name.text).type = {
        kind: "alias",
        name: qualified(statement.name.text),
        node: statement,
        scope,
        module,
      };
    } else if (ts.isClassDeclaration(statement) && statement.name) {
      scope.entry(statement.name.text).type = {
        kind: "class",
        name: qualified(statement.name.text),
        node: statement,
        scope,
        module,
      };
    } else if (ts.isModuleDeclaration(statement) && ts.isIdentifier(statement.name)) {
      const entry = scope.entry(statement.name.text);
      entry.namespace ??= new Scope(module, `${scope.prefix}${statement.name.text}.`, scope);
      const body = statement.body;
      if (body && ts.isModuleBlock(body)) {
        for (const inner of body.statements) this.declare(module, entry.namespace, inner);
      }
    }
  }
}

function entityParts(name: ts.EntityName): string[] {
  return ts.isIdentifier(name) ? [name.text] : [...entityParts(name.left), name.right.text];
}

function importedFile(from: string, specifier: ts.Expression): string | undefined {
  if (!ts.isStringLiteral(specifier) || !specifier.text.startsWith(".")) return undefined;
  return path.resolve(path.dirname(from), specifier.text.replace(/\.js$/, ".d.ts"));
}
