// Finds every request the package's resource classes make: the .js file of a resource holds
// `this._makeRequest('POST', `/v1/customers/${encodeURIComponent(id)}`, params, options, {...})` in each method,
// and the .d.ts file beside it the method's parameter and return types.
import { readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import type { SchemaEndpoint, SchemaNode } from "../../src/devkit/emulator/schema/types.js";
import type { DeclarationIndex } from "./declarations.js";
import type { SchemaTypes } from "./type-nodes.js";

/** One `_makeRequest` call in a resource's .js file. */
interface RequestCall {
  className: string;
  operation: string;
  method: string;
  path: string;
  host?: SchemaEndpoint["host"];
  /** The method chooses among several requests (`accounts.retrieve` with or without an id). */
  alternative: boolean;
}

export interface EndpointScan {
  endpoints: SchemaEndpoint[];
  /** Requests outside v1 that the schema leaves out, by path prefix: `/v2/` and the OAuth host's `/oauth/`. */
  skipped: Map<string, number>;
}

export function readEndpoints(
  resourceFiles: readonly string[],
  resourcesDir: string,
  index: DeclarationIndex,
  types: SchemaTypes,
): EndpointScan {
  const byRoute = new Map<string, { endpoint: SchemaEndpoint; alternative: boolean }>();
  const skipped = new Map<string, number>();
  for (const jsFile of resourceFiles) {
    index.filesRead.add(jsFile);
    for (const call of requestCalls(readFileSync(jsFile, "utf8"), jsFile)) {
      if (!call.path.startsWith("/v1/")) {
        const prefix = `/${call.path.split("/")[1]}/`;
        skipped.set(prefix, (skipped.get(prefix) ?? 0) + 1);
        continue;
      }
      const module = index.module(jsFile.replace(/\.js$/, ".d.ts"));
      const resource = resourceName(path.relative(resourcesDir, jsFile));
      const signature = methodSignature(module.top.entries.get(call.className)?.type, call.operation);
      if (!signature) throw new Error(`no declaration of ${resource}.${call.operation} in ${jsFile}`);
      const endpoint: SchemaEndpoint = {
        method: call.method as SchemaEndpoint["method"],
        path: call.path,
        resource,
        operation: call.operation,
        returns: returnNode(signature.type, module.top, types),
      };
      const params = signature.parameters.find((parameter) => parameterName(parameter) === "params");
      if (params?.type) endpoint.params = types.node(params.type, module.top);
      if (call.host) endpoint.host = call.host;
      const route = `${call.method} ${call.path}`;
      const known = byRoute.get(route);
      // `GET /v1/account` is both `accounts.retrieve()` without an id and `accounts.retrieveCurrent()`: keep the
      // method that makes only that request.
      if (!known || (known.alternative && !call.alternative)) {
        byRoute.set(route, { endpoint, alternative: call.alternative });
      }
    }
  }
  const endpoints = [...byRoute.values()].map(({ endpoint }) => endpoint);
  endpoints.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
  return { endpoints, skipped };
}

function requestCalls(text: string, file: string): RequestCall[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const calls: RequestCall[] = [];
  for (const statement of source.statements) {
    if (!ts.isClassDeclaration(statement) || !statement.name) continue;
    for (const member of statement.members) {
      if (!ts.isMethodDeclaration(member) || !member.body || !ts.isIdentifier(member.name)) continue;
      const found: RequestCall[] = [];
      const visit = (node: ts.Node) => {
        const call = makeRequest(node);
        if (call) {
          found.push({
            className: (statement.name as ts.Identifier).text,
            operation: (member.name as ts.Identifier).text,
            ...call,
            alternative: false,
          });
        }
        ts.forEachChild(node, visit);
      };
      visit(member.body);
      for (const call of found) calls.push({ ...call, alternative: found.length > 1 });
    }
  }
  return calls;
}

function makeRequest(node: ts.Node): Omit<RequestCall, "className" | "operation" | "alternative"> | undefined {
  if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) return undefined;
  if (node.expression.name.text !== "_makeRequest") return undefined;
  const [method, template, , , options] = node.arguments;
  if (!method || !ts.isStringLiteral(method) || !template) return undefined;
  const requestPath = pathTemplate(template);
  if (requestPath === undefined) return undefined;
  const host = options && ts.isObjectLiteralExpression(options) ? apiBase(options) : undefined;
  return { method: method.text, path: requestPath, ...(host && { host }) };
}

/** `/v1/customers/${encodeURIComponent(customer)}/sources` as `/v1/customers/{customer}/sources`. */
function pathTemplate(node: ts.Expression): string | undefined {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (!ts.isTemplateExpression(node)) return undefined;
  let text = node.head.text;
  for (const span of node.templateSpans) {
    const expression = span.expression;
    const argument =
      ts.isCallExpression(expression) && expression.arguments.length === 1 ? expression.arguments[0] : expression;
    if (!argument || !ts.isIdentifier(argument)) return undefined;
    text += `{${argument.text}}${span.literal.text}`;
  }
  return text;
}

function apiBase(options: ts.ObjectLiteralExpression): SchemaEndpoint["host"] | undefined {
  for (const property of options.properties) {
    if (!ts.isPropertyAssignment(property) || !ts.isIdentifier(property.name)) continue;
    if (property.name.text === "apiBase" && ts.isStringLiteral(property.initializer)) {
      return property.initializer.text as SchemaEndpoint["host"];
    }
  }
  return undefined;
}

/** `Checkout/Sessions.js` is the client's `checkout.sessions`. */
function resourceName(relative: string): string {
  return relative
    .replace(/\.js$/, "")
    .split(path.sep)
    .map((part) => part.charAt(0).toLowerCase() + part.slice(1))
    .join(".");
}

function methodSignature(
  declaration: ReturnType<DeclarationIndex["resolve"]>,
  name: string,
): ts.MethodDeclaration | undefined {
  if (declaration?.kind !== "class") return undefined;
  const overloads = declaration.node.members.filter(
    (member): member is ts.MethodDeclaration =>
      ts.isMethodDeclaration(member) && ts.isIdentifier(member.name) && member.name.text === name,
  );
  return overloads.find((method) => method.parameters.some((p) => parameterName(p) === "params")) ?? overloads[0];
}

function parameterName(parameter: ts.ParameterDeclaration): string | undefined {
  return ts.isIdentifier(parameter.name) ? parameter.name.text : undefined;
}

/** `Promise<Response<Price>>` is a price; `ApiListPromise<Price>` a list of them; `ApiSearchResultPromise` a search. */
function returnNode(type: ts.TypeNode | undefined, scope: Parameters<SchemaTypes["node"]>[1], types: SchemaTypes) {
  if (!type || !ts.isTypeReferenceNode(type) || !ts.isIdentifier(type.typeName)) return "unknown" satisfies SchemaNode;
  const [inner] = type.typeArguments ?? [];
  if (!inner) return types.node(type, scope);
  switch (type.typeName.text) {
    case "ApiListPromise":
      return { list: types.node(inner, scope) };
    case "ApiSearchResultPromise":
      return { search: types.node(inner, scope) };
    case "Promise":
      return types.node(inner, scope);
    default:
      return types.node(type, scope);
  }
}
