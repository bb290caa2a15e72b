import Handlebars from "handlebars";
import { shellQuote } from "../transport/shell-quote.js";
import { displayValue, hasVariable, lookupPath, namesOf, UndefinedVariable, type TemplatePosition } from "./template-lookup.js";

/**
 * Handlebars for playbook strings and template files: plain text (nothing is HTML-escaped) and
 * strict (a variable that is not defined is an error naming it, never ""). Strictness is done by
 * rewriting the parsed template so that every variable is read through lookupPath, instead of
 * handlebars' own strict mode, which lets `{{a.b}}` with `a` missing escape as a TypeError and
 * renders names every object inherits (`{{toString}}`) as "".
 */

// A private environment: the report renderers keep their own, unchanged handlebars.
const env = Handlebars.create();
env.unregisterHelper("log");

const OUT = "__fleet_out";
const LOOKUP = "__fleet_lookup";
const SECTION = "__fleet_section";

const compileOptions = { noEscape: true, strict: false, knownHelpers: { [OUT]: true, [LOOKUP]: true, [SECTION]: true } };

/** Helper arguments as the rewrite passes them: path text, line, column, base, parts..., options. */
function lookupArgs(args: readonly unknown[]): unknown {
  const [path, line, column, base, ...parts] = args.slice(0, -1);
  const position: TemplatePosition = { line: Number(line), column: Number(column) };
  return lookupPath(base, parts.map(String), String(path), position);
}

env.registerHelper(OUT, (...args: unknown[]) => displayValue(lookupArgs(args)));
env.registerHelper(LOOKUP, (...args: unknown[]) => lookupArgs(args));
// A mustache section ({{#list}}...{{/list}} over a variable), as handlebars' blockHelperMissing does it.
env.registerHelper(SECTION, function (this: unknown, value: unknown, options: Handlebars.HelperOptions): unknown {
  if (value === true) return options.fn(this);
  if (value === false || value === null || value === undefined) return options.inverse(this);
  if (Array.isArray(value)) return value.length > 0 ? env.helpers["each"]?.call(this, value, options) : options.inverse(this);
  return options.fn(value);
});
// `lookup` as strict as the rest: a missing key is an error.
env.registerHelper("lookup", (...args: unknown[]) => {
  const [holder, key] = args;
  const name = String(key);
  if (typeof holder === "object" && holder !== null && hasVariable(holder, name)) return (holder as Record<string, unknown>)[name];
  throw new UndefinedVariable(name, `lookup found no key ${name}`, typeof holder === "object" && holder !== null ? namesOf(holder) : [], undefined);
});

// `quote` as Ansible's `| quote`: a value made one word of a shell command line, whatever it holds,
// so that `shell: "grep -- {{quote pattern}} /etc/x"` never runs what a variable holds.
env.registerHelper("quote", (...args: unknown[]) => {
  // a handlebars error, which the renderer reports as a template error at the argument (a plain Error escaped as an internal error)
  if (args.length !== 2) throw new Handlebars.Exception("quote takes one value: {{quote name}}");
  return shellQuote(displayValue(args[0]));
});

/** A string or file, parsed once: plain text, one whole variable, or a template. */
export type CompiledTemplate =
  | { kind: "text"; text: string }
  /** Exactly one `{{ path }}`: rendering gives the variable's value with its type. */
  | { kind: "variable"; path: string; parts: string[]; position: TemplatePosition }
  | { kind: "template"; render: (context: unknown) => string }
  | { kind: "invalid"; error: TemplateSyntax };

/** What is wrong with a template's syntax (in words, without a position); line and column in the template text when known. */
export interface TemplateSyntax {
  message: string;
  line: number | undefined;
  column: number | undefined;
}

/** A run renders the same few strings for every host: compile each text once. */
const cache = new Map<string, CompiledTemplate>();
const cacheLimit = 10_000;

export function compileTemplate(text: string): CompiledTemplate {
  const cached = cache.get(text);
  if (cached !== undefined) return cached;
  const compiled = compileUncached(text);
  if (cache.size >= cacheLimit) {
    const oldest = cache.keys().next();
    if (oldest.done !== true) cache.delete(oldest.value);
  }
  cache.set(text, compiled);
  return compiled;
}

/** True for the errors handlebars itself throws (parse and compile errors), not those of a context's getters. */
export function isHandlebarsError(error: unknown): error is Handlebars.Exception {
  return error instanceof Handlebars.Exception;
}

export function syntaxOf(error: Handlebars.Exception): TemplateSyntax {
  return {
    message: error.message.replace(/ - \d+:\d+$/, ""),
    line: typeof error.lineNumber === "number" ? error.lineNumber : undefined,
    column: typeof error.column === "number" ? error.column : undefined,
  };
}

/**
 * Bounds on one template, checked before handlebars parses it: its parser takes quadratic time in
 * the nesting of blocks (4,000 nested {{#if}} take seconds, then overflow the stack), and every
 * expression becomes code in one generated function (40,000 of them took over a gigabyte). Real
 * templates stay far below both.
 */
export const MAX_TEMPLATE_NESTING = 100;
export const MAX_TEMPLATE_EXPRESSIONS = 5_000;

/** What makes the text too big to compile, if anything: counted on the text, without parsing it. */
function tooBig(text: string): TemplateSyntax | undefined {
  let expressions = 0;
  let depth = 0;
  for (const match of text.matchAll(/\{\{~?\s*([#^/]?)/g)) {
    expressions++;
    if (match[1] === "#" || match[1] === "^") depth++;
    else if (match[1] === "/") depth = Math.max(0, depth - 1);
    if (depth > MAX_TEMPLATE_NESTING) {
      return { message: `blocks ({{#if}}, {{#each}}, ...) are nested more than ${MAX_TEMPLATE_NESTING} deep`, line: lineOf(text, match.index), column: undefined };
    }
  }
  if (expressions > MAX_TEMPLATE_EXPRESSIONS) {
    return { message: `the template holds ${expressions} {{ }} expressions, more than the ${MAX_TEMPLATE_EXPRESSIONS} fleet compiles in one template`, line: undefined, column: undefined };
  }
  return undefined;
}

const lineOf = (text: string, offset: number): number => text.slice(0, offset).split("\n").length;

function compileUncached(text: string): CompiledTemplate {
  if (!text.includes("{{")) return { kind: "text", text };
  const limit = tooBig(text);
  if (limit !== undefined) return { kind: "invalid", error: limit };
  let program: Program;
  try {
    program = env.parse(text) as unknown as Program;
    const variable = wholeVariable(program);
    if (variable !== undefined) return variable;
    rewriteProgram(program, []);
  } catch (error) {
    return { kind: "invalid", error: parseErrorOf(error) };
  }
  const template = env.compile(program, compileOptions);
  return { kind: "template", render: (context) => template(context) };
}

/** Jison's parse errors are plain Errors ("Parse error on line 3:\n...\nExpecting ..."). */
function parseErrorOf(error: unknown): TemplateSyntax {
  if (isHandlebarsError(error)) return syntaxOf(error);
  if (!(error instanceof Error)) throw error;
  const lines = error.message.split("\n");
  const line = /on line (\d+)/.exec(lines[0] ?? "")?.[1];
  const got = /got '([^']+)'/.exec(lines.at(-1) ?? "")?.[1];
  const excerpt = lines[1]?.trim();
  let message: string;
  if (got === "EOF") message = "the template ends too early (an unclosed {{ or a block such as {{#if}} without its {{/if}})";
  else if (got !== undefined) message = `unexpected ${tokenWords[got] ?? got.toLowerCase()}${excerpt === undefined || excerpt === "" ? "" : ` near "${excerpt}"`}`;
  else message = lines[0] ?? error.message;
  return { message, line: line === undefined ? undefined : Number(line), column: undefined };
}

/** Jison token names, in words. */
const tokenWords: Record<string, string> = {
  INVALID: "character",
  CLOSE: "}}",
  CLOSE_UNESCAPED: "}}}",
  OPEN: "{{",
  OPEN_BLOCK: "{{#",
  OPEN_ENDBLOCK: "{{/",
  NUMBER: "number",
  ID: "name",
  STRING: "string",
  SEP: "separator",
};

// ---- the parsed template (the subset of handlebars' AST this file reads and writes)

interface Position {
  line: number;
  column: number;
}
interface Node {
  type: string;
  loc?: { start: Position; end: Position };
}
interface Program extends Node {
  type: "Program";
  body: Node[];
  blockParams?: string[];
}
interface PathExpression extends Node {
  type: "PathExpression";
  data: boolean;
  depth: number;
  parts: string[];
  original: string;
}
interface Hash extends Node {
  pairs: Array<{ key: string; value: Node }>;
}
/** MustacheStatement, BlockStatement and SubExpression. */
interface Call extends Node {
  path: Node;
  params: Node[];
  hash?: Hash;
  program?: Program;
  inverse?: Program;
}

const isPath = (node: Node): node is PathExpression => node.type === "PathExpression";
const isCall = (node: Node): node is Call => node.type === "MustacheStatement" || node.type === "BlockStatement" || node.type === "SubExpression";
const hasArguments = (call: Call): boolean => call.params.length > 0 || (call.hash?.pairs.length ?? 0) > 0;

function wholeVariable(program: Program): CompiledTemplate | undefined {
  const [only, ...rest] = program.body;
  if (only === undefined || rest.length > 0 || only.type !== "MustacheStatement" || !isCall(only) || hasArguments(only)) return undefined;
  const path = only.path;
  if (!isPath(path) || path.data || path.depth > 0 || path.parts.length === 0) return undefined;
  return { kind: "variable", path: path.original, parts: path.parts, position: positionOf(path) };
}

function positionOf(node: Node): TemplatePosition {
  return { line: node.loc?.start.line ?? 1, column: node.loc?.start.column ?? 0 };
}

function fail(message: string, node: Node): never {
  throw new Handlebars.Exception(message, node as unknown as hbs.AST.Node);
}

function rewriteProgram(program: Program, outerParams: readonly string[]): void {
  const blockParams = [...outerParams, ...(program.blockParams ?? [])];
  program.body = program.body.map((statement) => rewriteStatement(statement, blockParams));
}

function rewriteStatement(node: Node, blockParams: readonly string[]): Node {
  switch (node.type) {
    case "ContentStatement":
    case "CommentStatement":
      return node;
    case "MustacheStatement":
    case "BlockStatement":
      return rewriteCall(node as Call, blockParams);
    case "PartialStatement":
    case "PartialBlockStatement":
      return fail("partials ({{> name}}) are not supported", node);
    default:
      return fail(`${node.type} is not supported`, node);
  }
}

function rewriteCall(call: Call, blockParams: readonly string[]): Call {
  const path = call.path;
  const block = call.type === "BlockStatement";
  if (!hasArguments(call) && isPath(path) && !isHelper(path, blockParams)) {
    const lookup = lookupCall(path, blockParams);
    if (lookup !== undefined) {
      if (block) {
        // {{#list}}...{{/list}}: a section over the variable's value.
        call.path = helperPath(SECTION, path);
        call.params = [lookup];
      } else if (call.type === "MustacheStatement") {
        call.path = helperPath(OUT, path);
        call.params = lookup.params;
      }
    }
  } else {
    if (isPath(path) && path.parts.length === 1 && !path.data && path.depth === 0 && !isHelper(path, blockParams)) {
      fail(`unknown helper ${path.original}`, path);
    }
    call.params = call.params.map((param) => rewriteExpression(param, blockParams));
    for (const pair of call.hash?.pairs ?? []) pair.value = rewriteExpression(pair.value, blockParams);
  }
  if (call.program !== undefined) rewriteProgram(call.program, blockParams);
  if (call.inverse !== undefined) rewriteProgram(call.inverse, blockParams);
  return call;
}

function rewriteExpression(node: Node, blockParams: readonly string[]): Node {
  if (isPath(node)) return lookupCall(node, blockParams) ?? node;
  if (node.type === "SubExpression") return rewriteCall(node as Call, blockParams);
  return node;
}

function isHelper(path: PathExpression, blockParams: readonly string[]): boolean {
  const name = path.parts[0];
  return path.parts.length === 1 && !path.data && path.depth === 0 && name !== undefined && !blockParams.includes(name) && Object.hasOwn(env.helpers, name);
}

/**
 * `(__fleet_lookup "a.b" line column BASE "a" "b")` for a variable path, where BASE is the current
 * context, `..`, `@root` or a block parameter; undefined for what handlebars resolves itself
 * (`this`, `@index`, a whole block parameter).
 */
function lookupCall(path: PathExpression, blockParams: readonly string[]): Call | undefined {
  let base: PathExpression;
  let parts: string[];
  const head = path.parts[0];
  if (head === undefined) return undefined;
  if (path.data) {
    if (head !== "root" || path.parts.length < 2) return undefined;
    base = { type: "PathExpression", data: true, depth: path.depth, parts: ["root"], original: "@root", ...locOf(path) };
    parts = path.parts.slice(1);
  } else if (path.depth === 0 && blockParams.includes(head)) {
    if (path.parts.length < 2) return undefined;
    base = { type: "PathExpression", data: false, depth: 0, parts: [head], original: head, ...locOf(path) };
    parts = path.parts.slice(1);
  } else {
    const original = path.depth === 0 ? "this" : Array.from({ length: path.depth }, () => "..").join("/");
    base = { type: "PathExpression", data: false, depth: path.depth, parts: [], original, ...locOf(path) };
    parts = path.parts;
  }
  const position = positionOf(path);
  return {
    type: "SubExpression",
    path: helperPath(LOOKUP, path),
    params: [stringLiteral(path.original, path), numberLiteral(position.line, path), numberLiteral(position.column, path), base, ...parts.map((part) => stringLiteral(part, path))],
    hash: { type: "Hash", pairs: [], ...locOf(path) },
    ...locOf(path),
  };
}

function helperPath(name: string, at: Node): PathExpression {
  return { type: "PathExpression", data: false, depth: 0, parts: [name], original: name, ...locOf(at) };
}

function stringLiteral(value: string, at: Node): Node {
  return { type: "StringLiteral", value, original: value, ...locOf(at) } as Node;
}

function numberLiteral(value: number, at: Node): Node {
  return { type: "NumberLiteral", value, original: value, ...locOf(at) } as Node;
}

function locOf(node: Node): Pick<Node, "loc"> {
  return node.loc === undefined ? {} : { loc: node.loc };
}
