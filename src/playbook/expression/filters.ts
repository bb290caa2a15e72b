import type { CallContext } from "./call-context.js";
import { Missing } from "./missing.js";
import { isMapping, mappingKeys, pythonNumber, pythonStr, truthy, typeName } from "./values.js";

/**
 * The filters `x | name(args)`, with Jinja2's (and for `bool`, Ansible's) behaviour. Names and
 * argument counts are checked when the expression is parsed.
 */
export interface FilterDefinition {
  minArgs: number;
  maxArgs: number;
  /** The input and first argument may be undefined (a Missing): only `default` looks at them. */
  acceptsUndefined: boolean;
  apply(input: unknown, args: readonly unknown[], context: CallContext): unknown;
}

const strict = (apply: (input: unknown, context: CallContext) => unknown): FilterDefinition => ({
  minArgs: 0,
  maxArgs: 0,
  acceptsUndefined: false,
  apply: (input, _args, context) => apply(input, context),
});

function length(input: unknown, context: CallContext): number {
  if (typeof input === "string") return [...input].length;
  if (Array.isArray(input)) return input.length;
  if (isMapping(input)) return mappingKeys(input).length;
  return context.fail(`\`length\` needs a string, list or mapping, got ${typeName(input)}`, "check the value, or guard with `x is sequence`");
}

/** The items `first`/`last` pick from: a list's items, a string's characters, a mapping's keys. */
function items(name: string, input: unknown, context: CallContext): unknown[] {
  if (typeof input === "string") return [...input];
  if (Array.isArray(input)) return input;
  if (isMapping(input)) return mappingKeys(input);
  return context.fail(`\`${name}\` needs a list, string or mapping, got ${typeName(input)}`, "check the value, or guard with `x is sequence`");
}

const pythonInteger = /^[+-]?\d+(?:_\d+)*$/;
const pythonFloat = /^[+-]?(?:(?:\d+(?:_\d+)*)?\.?\d+(?:_\d+)*|\d+(?:_\d+)*\.)(?:[eE][+-]?\d+(?:_\d+)*)?$/;
const pythonSpecialFloat = /^([+-]?)(inf|infinity|nan)$/i;

/** Python's float(text), or undefined where Python raises ValueError. */
function parseFloatText(text: string): number | undefined {
  const trimmed = text.trim();
  if (pythonFloat.test(trimmed)) return Number(trimmed.replaceAll("_", ""));
  const special = pythonSpecialFloat.exec(trimmed);
  if (special === null) return undefined;
  if ((special[2] ?? "").toLowerCase() === "nan") return Number.NaN;
  return special[1] === "-" ? -Infinity : Infinity;
}

/** Jinja2's float filter: float(value), or 0.0 when Python cannot convert it. */
function toFloat(input: unknown): number {
  if (typeof input === "number") return input;
  if (typeof input === "boolean") return input ? 1 : 0;
  if (typeof input === "string") return parseFloatText(input) ?? 0;
  return 0;
}

/** Jinja2's int filter: int(value), else int(float(value)), else 0. */
function toInt(input: unknown, context: CallContext): number {
  if (typeof input === "string" && pythonInteger.test(input.trim())) return Number(input.trim().replaceAll("_", "")) + 0; // + 0: no negative integer zero in Python
  const number = typeof input === "string" ? parseFloatText(input) : typeof input === "number" || typeof input === "boolean" ? toFloat(input) : undefined;
  if (number === undefined) return 0;
  if (!Number.isFinite(number)) return context.fail(`cannot convert ${pythonNumber(number)} to an integer`, "guard the value, e.g. `x | float < 100`");
  return Math.trunc(number) + 0;
}

const trueWords = new Set(["yes", "y", "on", "true", "t", "1"]);

/** Ansible's bool filter: yes/on/true/1 (any case, surrounding space ignored) are true. */
function toBool(input: unknown): boolean {
  if (typeof input === "boolean") return input;
  if (typeof input === "number") return input === 1;
  if (typeof input === "string") return trueWords.has(input.trim().toLowerCase());
  return false;
}

/** `default(value='', boolean=false)`: value when the input is undefined (or, with boolean, falsy). */
const defaultFilter: FilterDefinition = {
  minArgs: 0,
  maxArgs: 2,
  acceptsUndefined: true,
  apply(input, args) {
    const useForFalsy = args.length > 1 && truthy(args[1]);
    if (input instanceof Missing || (useForFalsy && !truthy(input))) return args.length > 0 ? args[0] : "";
    return input;
  },
};

const first = strict((input, context) => {
  const list = items("first", input, context);
  return list.length > 0 ? list[0] : context.missing(`${context.inputPath} is empty`);
});

const last = strict((input, context) => {
  const list = items("last", input, context);
  return list.length > 0 ? list[list.length - 1] : context.missing(`${context.inputPath} is empty`);
});

export const FILTERS: ReadonlyMap<string, FilterDefinition> = new Map<string, FilterDefinition>([
  ["length", strict(length)],
  ["count", strict(length)],
  ["int", strict(toInt)],
  ["float", strict(toFloat)],
  ["bool", strict(toBool)],
  ["string", strict(pythonStr)],
  ["lower", strict((input) => pythonStr(input).toLowerCase())],
  ["upper", strict((input) => pythonStr(input).toUpperCase())],
  ["trim", strict((input) => pythonStr(input).trim())],
  ["default", defaultFilter],
  ["d", defaultFilter],
  ["first", first],
  ["last", last],
]);

export const FILTER_NAMES: readonly string[] = [...FILTERS.keys()];
