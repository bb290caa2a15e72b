/**
 * Strict variable lookup for templates: a name that is not there is an error, never "". Values are
 * read with a plain property access, so a getter of the context runs (and what it throws reaches
 * the caller unchanged); only a missing name becomes an UndefinedVariable.
 */

/** Where in a template a lookup was written: 1-based line, 0-based column (as handlebars counts). */
export interface TemplatePosition {
  line: number;
  column: number;
}

/** Internal: caught by the renderer and turned into a located TemplateError. */
export class UndefinedVariable extends Error {
  constructor(
    /** The whole path as written: `facts.kernel.slabx`. */
    readonly path: string,
    /** Why, when the path is longer than one name: "facts.kernel has no key slabx". */
    readonly reason: string | undefined,
    /** Names defined where the lookup failed, for "did you mean". */
    readonly candidates: readonly string[],
    readonly position: TemplatePosition | undefined,
  ) {
    super(reason === undefined ? `undefined variable ${path}` : `undefined variable ${path}: ${reason}`);
    this.name = "UndefinedVariable";
  }
}

/**
 * True when `key` is a variable of `holder`: an own property, or one its class defines (a getter),
 * but never what every object or list inherits (`toString`, `constructor`, `map`).
 */
export function hasVariable(holder: object, key: string): boolean {
  if (Object.hasOwn(holder, key)) return true;
  if (!(key in holder)) return false;
  if (key in Object.prototype) return false;
  if (Array.isArray(holder) && key in Array.prototype) return false;
  return typeof holder !== "function";
}

/** The value at `parts` below `root`; `path` is how the user wrote it, for messages. */
export function lookupPath(root: unknown, parts: readonly string[], path: string, position?: TemplatePosition): unknown {
  let current = root;
  let walked = "";
  for (const part of parts) {
    if (typeof current !== "object" || current === null) {
      throw new UndefinedVariable(path, `${walked} is ${kindOf(current)}`, [], position);
    }
    if (!hasVariable(current, part)) {
      throw new UndefinedVariable(path, walked === "" ? undefined : `${walked} has no key ${part}`, namesOf(current), position);
    }
    current = (current as Record<string, unknown>)[part];
    walked = walked === "" ? part : `${walked}.${part}`;
  }
  if (current === undefined) throw new UndefinedVariable(path, parts.length > 1 ? `${walked} is undefined` : undefined, [], position);
  return current;
}

/** The variable names of an object, without reading any value (getters do not run). */
export function namesOf(holder: object): string[] {
  return Array.isArray(holder) ? [] : Object.keys(holder);
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (typeof value === "string") return "a string";
  if (typeof value === "number") return "a number";
  if (typeof value === "boolean") return "a boolean";
  return `a ${typeof value}`;
}

/** A value written into text: a list or mapping as JSON, null as nothing (as Ansible does). */
export function displayValue(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}
