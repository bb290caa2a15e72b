/**
 * The values expressions work on, as the engine hands them over (parsed YAML/JSON): strings,
 * numbers, booleans, null (none), arrays (lists) and plain objects (mappings). Anything else is an
 * opaque "object": it is truthy, equal only to itself, and has no attributes.
 */

export type Mapping = Record<string, unknown>;

export function isMapping(value: unknown): value is Mapping {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** A mapping's keys that hold a value (a key set to undefined does not count). */
export function mappingKeys(mapping: Mapping): string[] {
  return Object.keys(mapping).filter((key) => mapping[key] !== undefined);
}

/** The value under `key` when the mapping has it as its own key, else undefined. */
export function mappingGet(mapping: Mapping, key: string): unknown {
  return Object.hasOwn(mapping, key) ? mapping[key] : undefined;
}

/** A key as a mapping key: strings, and integers as their decimal text (YAML `1:` keys). */
export function asMappingKey(key: unknown): string | undefined {
  if (typeof key === "string") return key;
  if (typeof key === "number" && Number.isInteger(key)) return String(key);
  return undefined;
}

/** What the user calls the value's type in messages. */
export function typeName(value: unknown): string {
  if (value === null) return "none";
  if (Array.isArray(value)) return "list";
  if (isMapping(value)) return "mapping";
  switch (typeof value) {
    case "string":
    case "number":
    case "boolean":
      return typeof value;
    case "undefined":
      return "undefined";
    default:
      return "object";
  }
}

/** Python truthiness: false, none, 0, "", [] and {} are false; everything else is true. */
export function truthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false) return false;
  if (typeof value === "number") return value !== 0;
  if (typeof value === "string" || Array.isArray(value)) return value.length > 0;
  if (isMapping(value)) return mappingKeys(value).length > 0;
  return true;
}

/**
 * Structural equality: same type and same content. `'1' == 1` and `true == 1` are false, key
 * order does not matter, list order does. Cyclic values compare without looping.
 */
export function deepEqual(left: unknown, right: unknown, ancestors: Array<[unknown, unknown]> = []): boolean {
  if (left === right) return true;
  if (typeof left !== "object" || typeof right !== "object" || left === null || right === null) return false;
  if (ancestors.some(([a, b]) => a === left && b === right)) return true;
  if (Array.isArray(left) && Array.isArray(right)) {
    if (left.length !== right.length) return false;
    ancestors.push([left, right]);
    const equal = left.every((item, index) => deepEqual(item, right[index], ancestors));
    ancestors.pop();
    return equal;
  }
  if (isMapping(left) && isMapping(right)) {
    const keys = mappingKeys(left);
    if (keys.length !== mappingKeys(right).length) return false;
    ancestors.push([left, right]);
    const equal = keys.every((key) => deepEqual(left[key], mappingGet(right, key), ancestors));
    ancestors.pop();
    return equal;
  }
  return false;
}

/** Compare strings by code point, as Python does (JavaScript's < compares UTF-16 units). */
export function compareStrings(left: string, right: string): number {
  const a = left[Symbol.iterator]();
  const b = right[Symbol.iterator]();
  for (;;) {
    const x = a.next();
    const y = b.next();
    if (x.done || y.done) return x.done && y.done ? 0 : x.done ? -1 : 1;
    const difference = (x.value.codePointAt(0) ?? 0) - (y.value.codePointAt(0) ?? 0);
    if (difference !== 0) return difference;
  }
}

/** Python's str(): strings as they are, everything else as repr. */
export function pythonStr(value: unknown): string {
  return typeof value === "string" ? value : pythonRepr(value);
}

/** Python's repr(): None, True, 'text', [1, 'a'], {'k': 1}. */
export function pythonRepr(value: unknown, ancestors: unknown[] = []): string {
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number") return pythonNumber(value);
  if (typeof value === "string") return quote(value);
  if (Array.isArray(value) || isMapping(value)) {
    if (ancestors.includes(value)) return Array.isArray(value) ? "[...]" : "{...}";
    ancestors.push(value);
    const text = Array.isArray(value)
      ? `[${value.map((item) => pythonRepr(item, ancestors)).join(", ")}]`
      : `{${mappingKeys(value).map((key) => `${quote(key)}: ${pythonRepr(value[key], ancestors)}`).join(", ")}}`;
    ancestors.pop();
    return text;
  }
  return `<${typeName(value)}>`;
}

export function pythonNumber(value: number): string {
  if (Number.isNaN(value)) return "nan";
  if (value === Infinity) return "inf";
  if (value === -Infinity) return "-inf";
  if (Number.isInteger(value)) {
    if (Object.is(value, -0)) return "-0.0";
    return Math.abs(value) < 1e21 ? String(value) : BigInt(value).toString();
  }
  const [mantissa = "0", exponentText = "0"] = value.toExponential().split("e");
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16) {
    return `${mantissa}e${exponent < 0 ? "-" : "+"}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  return String(value);
}

function quote(text: string): string {
  const mark = text.includes("'") && !text.includes('"') ? '"' : "'";
  let body = "";
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (char === "\\" || char === mark) body += `\\${char}`;
    else if (char === "\n") body += "\\n";
    else if (char === "\r") body += "\\r";
    else if (char === "\t") body += "\\t";
    else if (code < 0x20 || code === 0x7f) body += `\\x${code.toString(16).padStart(2, "0")}`;
    else body += char;
  }
  return `${mark}${body}${mark}`;
}
