import { readFileSync } from "node:fs";
import { FleetError, messageOf, type SourceLocation } from "../errors.js";
import { didYouMean } from "./problems.js";
import { compileTemplate, isHandlebarsError, syntaxOf, type CompiledTemplate, type TemplateSyntax } from "./template-compile.js";
import { displayValue, lookupPath, UndefinedVariable } from "./template-lookup.js";
import type { Task } from "./types.js";

/**
 * Rendering of playbook strings and template files with handlebars, plain text and strict. The
 * context may have getters that throw (the engine's "not known yet"): such a throw passes through
 * unchanged; only handlebars' own errors and undefined variables become TemplateErrors.
 */

export const TemplateCode = {
  undefined: "TEMPLATE_UNDEFINED",
  syntax: "TEMPLATE_SYNTAX",
  unreadable: "TEMPLATE_UNREADABLE",
} as const;

export type TemplateCodeValue = (typeof TemplateCode)[keyof typeof TemplateCode];

const syntaxHint = "handlebars syntax: {{ name }}, {{ facts.kernel.release }}, {{#if name}}...{{else}}...{{/if}}, {{#each list}}{{this}}{{/each}}; write \\{{ for a literal {{";
const undefinedHint = "define it in the inventory, the play's vars or vars_files, or with -e KEY=VALUE";

export class TemplateError extends FleetError {
  constructor(code: TemplateCodeValue, message: string, location: SourceLocation, hint: string) {
    super(code, message, { category: "parse", hint, location });
  }
}

/**
 * Render every string in a value (lists and mappings are walked; keys are left as written). A
 * string that is exactly one `{{ path }}` gives the variable's value itself, with its type, so
 * `allowed: "{{ admins }}"` is a list; any other string gives text. `what` names the value in
 * messages (`file.mode`).
 */
export function renderValue(value: unknown, context: object, location: SourceLocation, what?: string): unknown {
  if (typeof value === "string") return renderString(value, context, location, what);
  if (Array.isArray(value)) return value.map((item, index) => renderValue(item, context, location, what === undefined ? undefined : `${what}[${index}]`));
  if (isPlainObject(value)) {
    const rendered: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) rendered[key] = renderValue(item, context, location, what === undefined ? key : `${what}.${key}`);
    return rendered;
  }
  return value;
}

/** A task's arguments rendered for one host, each error located where the argument was written. */
export function renderTaskArgs(task: Pick<Task, "module" | "args" | "argLocations" | "location">, context: object): Record<string, unknown> {
  const rendered: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(task.args)) {
    rendered[key] = renderValue(value, context, task.argLocations[key] ?? task.location, `${task.module}.${key}`);
  }
  return rendered;
}

/** A template file (the template module's `src`), rendered to text; errors point into the file. */
export function renderTemplateFile(path: string, context: object): string {
  const compiled = compileTemplate(readTemplate(path));
  return displayValue(render(compiled, context, fileWhere(path)));
}

/** The syntax problem of a string, if it has one (checked when a playbook is loaded). */
export function templateSyntaxProblem(text: string, location: SourceLocation, what?: string): TemplateError | undefined {
  const compiled = compileTemplate(text);
  return compiled.kind === "invalid" ? syntaxError(compiled.error, location, what) : undefined;
}

/** The syntax problem of a template file, located in it (`file` is the path shown in messages). */
export function templateFileSyntaxProblem(path: string, file: string = path): TemplateError | undefined {
  const compiled = compileTemplate(readTemplate(path, file));
  if (compiled.kind !== "invalid") return undefined;
  const where = fileWhere(file);
  return syntaxError(compiled.error, where.at(compiled.error.line, compiled.error.column), where.what);
}

function readTemplate(path: string, file: string = path): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new TemplateError(TemplateCode.unreadable, `cannot read template ${file}: ${messageOf(error)}`, { file }, "check that the template exists under templates/ beside the playbook and is readable");
  }
}

function fileWhere(file: string): Where {
  return {
    what: `template ${file}`,
    at: (line, column) => (line === undefined ? { file } : column === undefined ? { file, line } : { file, line, column: column + 1 }),
  };
}

/** How errors of one rendering are placed: `at` maps a position in the template to the file. */
interface Where {
  what: string | undefined;
  at(line: number | undefined, column: number | undefined): SourceLocation;
}

function renderString(text: string, context: object, location: SourceLocation, what: string | undefined): unknown {
  // An inline string's positions are not mapped into the YAML file: the value's location is exact enough.
  return render(compileTemplate(text), context, { what, at: () => location });
}

function render(compiled: CompiledTemplate, context: object, where: Where): unknown {
  switch (compiled.kind) {
    case "text":
      return compiled.text;
    case "invalid":
      throw syntaxError(compiled.error, where.at(compiled.error.line, compiled.error.column), where.what);
    case "variable":
      try {
        return lookupPath(context, compiled.parts, compiled.path, compiled.position);
      } catch (error) {
        throw converted(error, where);
      }
    case "template":
      try {
        return compiled.render(context);
      } catch (error) {
        throw converted(error, where);
      }
  }
}

/** Our own and handlebars' errors become TemplateErrors; anything else (a getter's) is returned as is. */
function converted(error: unknown, where: Where): unknown {
  if (error instanceof UndefinedVariable) {
    const location = where.at(error.position?.line, error.position?.column);
    const inWhat = where.what === undefined ? "" : ` in ${where.what}`;
    const reason = error.reason === undefined ? "" : ` (${error.reason})`;
    const missing = error.path.split(".").at(-1) ?? error.path;
    const candidates = error.candidates;
    const fallback = candidates.length > 0 && error.reason !== undefined ? `defined there: ${listed(candidates)}` : undefinedHint;
    return new TemplateError(TemplateCode.undefined, `undefined variable ${error.path}${inWhat}${reason}`, location, didYouMean(missing, candidates, fallback));
  }
  if (isHandlebarsError(error)) {
    const syntax = syntaxOf(error);
    return syntaxError(syntax, where.at(syntax.line, syntax.column), where.what);
  }
  return error;
}

function syntaxError(syntax: TemplateSyntax, location: SourceLocation, what: string | undefined): TemplateError {
  const inWhat = what === undefined ? "" : ` in ${what}`;
  return new TemplateError(TemplateCode.syntax, `template syntax error${inWhat}: ${syntax.message}`, location, syntaxHint);
}

function listed(names: readonly string[]): string {
  const shown = names.slice(0, 12).join(", ");
  return names.length > 12 ? `${shown}, ...` : shown;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
