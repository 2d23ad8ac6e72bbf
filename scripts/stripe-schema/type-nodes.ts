// Turns the package's TypeScript types into schema nodes, collecting every interface they name into `types`.
import ts from "typescript";
import type { InlineObject, SchemaNode, SchemaObject } from "../../src/devkit/emulator/schema/types.js";
import type { DeclarationIndex, Scope, TypeDeclaration } from "./declarations.js";

type Enum = { enum: (string | number | boolean)[]; open?: true };

/** Shared helper types of the package, by the name it exports them under. */
const PACKAGE_GENERICS = new Set(["Emptyable", "ApiList", "ApiSearchResult", "Response"]);

export class SchemaTypes {
  readonly types: Record<string, SchemaObject> = {};
  /** Types whose fields are still to be read; a type is listed in `types` first, so cycles end. */
  private readonly pending: Extract<TypeDeclaration, { kind: "interface" }>[] = [];
  /** Constructs the package uses that have no schema node, for the generator to report. */
  readonly unsupported = new Map<string, number>();
  private readonly objectTypes = new Set<string>();

  constructor(private readonly index: DeclarationIndex) {}

  /** Reads every type still pending; call after the last `node`/`declare`. */
  drain(): void {
    for (let next = this.pending.pop(); next; next = this.pending.pop()) {
      this.types[next.name] = this.object(next);
    }
  }

  /** Adds an interface to `types` and answers a reference to it. */
  declare(declaration: Extract<TypeDeclaration, { kind: "interface" }>): SchemaNode {
    if (!(declaration.name in this.types)) {
      // Stripe objects are declared at the top of a module; nested `object: 'card'` interfaces are parameters.
      const topLevel = declaration.scope.parent === undefined;
      if (topLevel && objectString(declaration) !== undefined) this.objectTypes.add(declaration.name);
      // A placeholder until `drain` reads it; listing it now stops recursion through self-referencing types.
      this.types[declaration.name] = { fields: {} };
      this.pending.push(declaration);
    }
    return { ref: declaration.name };
  }

  node(type: ts.TypeNode, scope: Scope): SchemaNode {
    switch (type.kind) {
      case ts.SyntaxKind.StringKeyword:
        return "string";
      case ts.SyntaxKind.NumberKeyword:
        return "number";
      case ts.SyntaxKind.BooleanKeyword:
        return "boolean";
      case ts.SyntaxKind.AnyKeyword:
      case ts.SyntaxKind.UnknownKeyword:
        return "unknown";
    }
    if (ts.isParenthesizedTypeNode(type)) return this.node(type.type, scope);
    if (ts.isTypeOperatorNode(type)) return this.node(type.type, scope);
    if (ts.isLiteralTypeNode(type)) return literal(type);
    if (ts.isArrayTypeNode(type)) return { array: this.node(type.elementType, scope) };
    if (ts.isUnionTypeNode(type)) return this.union(type.types, scope);
    if (ts.isTypeLiteralNode(type)) return this.inline(type.members, scope);
    if (ts.isTypeReferenceNode(type)) return this.reference(type, scope);
    return this.unsupportedNode(`${ts.SyntaxKind[type.kind]} in ${scope.module.file}:${type.pos}`);
  }

  private reference(type: ts.TypeReferenceNode, scope: Scope): SchemaNode {
    const args = type.typeArguments ?? [];
    const argument = (index: number) => {
      const node = args[index];
      return node ? this.node(node, scope) : this.unsupportedNode("missing type argument");
    };
    const declaration = this.index.resolve(type.typeName, scope);
    if (!declaration) {
      // Names the package does not declare are TypeScript's and Node's own.
      switch (entityText(type.typeName)) {
        case "Array":
          return { array: argument(0) };
        case "Partial":
          return { partial: argument(0) };
        case "Record":
          return { map: argument(1) };
        case "Buffer":
        case "Uint8Array":
          return "file";
        default:
          return this.unsupportedNode(`reference ${entityText(type.typeName)}`);
      }
    }
    const shared = declaration.module.publicPrefix === "" && PACKAGE_GENERICS.has(declaration.name);
    if (shared && declaration.name === "Emptyable") return { emptyable: argument(0) };
    if (shared && declaration.name === "ApiList") return { list: argument(0) };
    if (shared && declaration.name === "ApiSearchResult") return { search: argument(0) };
    if (shared && declaration.name === "Response") return argument(0);
    if (declaration.name === "Decimal" && declaration.module.file.endsWith("Decimal.d.ts")) return "decimal";
    if (declaration.name === "OtherString") return { enum: [], open: true };
    if (declaration.name === "FileData") return "file";
    if (declaration.name === "StripeStreamResponse") return "stream";
    if (declaration.kind === "interface") return this.declare(declaration);
    if (declaration.kind === "alias") {
      if (declaration.node.typeParameters?.length) return this.unsupportedNode(`generic alias ${declaration.name}`);
      return this.node(declaration.node.type, declaration.scope);
    }
    return this.unsupportedNode(`class ${declaration.name}`);
  }

  /**
   * A union, flattened: literals merge into one enum (open when the package adds `OtherString`, its mark for
   * enums that may grow), and `string | Customer` becomes an expandable reference.
   */
  private union(members: readonly ts.TypeNode[], scope: Scope): SchemaNode {
    const parts: SchemaNode[] = [];
    // Object references gather where the first one stands, so the union keeps the package's order.
    const objects: { expandable: string[] } = { expandable: [] };
    let enumeration: Enum | undefined;
    const add = (node: SchemaNode) => {
      if (Array.isArray(node)) {
        for (const inner of node) add(inner);
      } else if (typeof node === "object" && "enum" in node) {
        enumeration ??= { enum: [] };
        for (const value of node.enum) if (!enumeration.enum.includes(value)) enumeration.enum.push(value);
        if (node.open) enumeration.open = true;
      } else if (
        typeof node === "object" &&
        ("expandable" in node || ("ref" in node && this.objectTypes.has(node.ref)))
      ) {
        if (objects.expandable.length === 0) parts.push(objects);
        objects.expandable.push(...("ref" in node ? [node.ref] : node.expandable));
      } else if (!parts.some((part) => JSON.stringify(part) === JSON.stringify(node))) {
        parts.push(node);
      }
    };
    for (const member of members) {
      if (member.kind !== ts.SyntaxKind.UndefinedKeyword) add(this.node(member, scope));
    }
    const at = parts.indexOf(objects);
    if (at >= 0 && parts.includes("string")) parts.splice(parts.indexOf("string"), 1);
    else if (at >= 0) parts.splice(at, 1, ...objects.expandable.map((name) => ({ ref: name })));
    if (enumeration?.enum.length) parts.unshift(enumeration);
    else if (enumeration && !parts.includes("string")) parts.unshift("string");
    return parts.length === 1 ? (parts[0] as SchemaNode) : parts;
  }

  private inline(members: ts.NodeArray<ts.TypeElement>, scope: Scope): SchemaNode {
    const object = this.members(members, scope);
    const onlyIndex = Object.keys(object.fields).length === 0 && object.additional !== undefined;
    if (onlyIndex) return { map: object.additional as SchemaNode };
    const inline: InlineObject = { fields: object.fields };
    if (object.required.length > 0) inline.required = object.required;
    if (object.additional !== undefined) inline.additional = object.additional;
    return inline;
  }

  private object(declaration: Extract<TypeDeclaration, { kind: "interface" }>): SchemaObject {
    const fields: Record<string, SchemaNode> = {};
    const required: string[] = [];
    let additional: SchemaNode | undefined;
    for (const node of declaration.nodes) {
      for (const clause of node.heritageClauses ?? []) {
        for (const base of clause.types) {
          if (!ts.isEntityName(base.expression)) continue;
          const parent = this.index.resolve(base.expression, declaration.scope);
          if (parent?.kind !== "interface") continue;
          const inherited = this.object(parent);
          Object.assign(fields, inherited.fields);
          required.push(...(inherited.required ?? []));
        }
      }
      const own = this.members(node.members, declaration.scope);
      Object.assign(fields, own.fields);
      required.push(...own.required);
      additional ??= own.additional;
    }
    const result: SchemaObject = { fields };
    const object = objectString(declaration);
    if (object !== undefined) result.object = object;
    if (isDeletedStub(declaration)) result.deleted = true;
    if (required.length > 0) result.required = [...new Set(required)];
    if (additional !== undefined) result.additional = additional;
    return result;
  }

  private members(members: ts.NodeArray<ts.TypeElement>, scope: Scope) {
    const fields: Record<string, SchemaNode> = {};
    const required: string[] = [];
    let additional: SchemaNode | undefined;
    for (const member of members) {
      if (ts.isIndexSignatureDeclaration(member)) {
        additional = member.type ? this.node(member.type, scope) : "unknown";
        continue;
      }
      if (!ts.isPropertySignature(member) || !member.type) continue;
      // `deleted?: void` only tells TypeScript a live object from its deleted stub; it is never on the wire.
      if (member.type.kind === ts.SyntaxKind.VoidKeyword) continue;
      const name = propertyName(member.name);
      if (name === undefined) continue;
      fields[name] = this.node(member.type, scope);
      if (!member.questionToken) required.push(name);
    }
    return { fields, required, additional };
  }

  private unsupportedNode(what: string): SchemaNode {
    this.unsupported.set(what, (this.unsupported.get(what) ?? 0) + 1);
    return "unknown";
  }
}

function literal(type: ts.LiteralTypeNode): SchemaNode {
  const value = type.literal;
  if (value.kind === ts.SyntaxKind.NullKeyword) return "null";
  if (value.kind === ts.SyntaxKind.TrueKeyword) return { enum: [true] };
  if (value.kind === ts.SyntaxKind.FalseKeyword) return { enum: [false] };
  if (ts.isStringLiteral(value)) return { enum: [value.text] };
  if (ts.isNumericLiteral(value)) return { enum: [Number(value.text)] };
  return "unknown";
}

/** The `object: 'customer'` literal of a Stripe object's interface. */
export function objectString(declaration: Extract<TypeDeclaration, { kind: "interface" }>): string | undefined {
  for (const node of declaration.nodes) {
    for (const member of node.members) {
      if (!ts.isPropertySignature(member) || propertyName(member.name) !== "object") continue;
      const type = member.type;
      if (type && ts.isLiteralTypeNode(type) && ts.isStringLiteral(type.literal)) return type.literal.text;
    }
  }
  return undefined;
}

function isDeletedStub(declaration: Extract<TypeDeclaration, { kind: "interface" }>): boolean {
  return declaration.nodes.some((node) =>
    node.members.some(
      (member) =>
        ts.isPropertySignature(member) &&
        propertyName(member.name) === "deleted" &&
        member.type !== undefined &&
        ts.isLiteralTypeNode(member.type) &&
        member.type.literal.kind === ts.SyntaxKind.TrueKeyword,
    ),
  );
}

function propertyName(name: ts.PropertyName): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) return name.text;
  return undefined;
}

function entityText(name: ts.EntityName): string {
  return ts.isIdentifier(name) ? name.text : `${entityText(name.left)}.${name.right.text}`;
}
