import type { VarValue, Vars } from "./types.js";

/**
 * Plain data from whatever a parser produced: Maps become objects, Sets and typed arrays become
 * lists or text, BigInts become numbers. Object keys are written as Python's json module writes
 * non-string keys (True → "true", None → "null").
 */
export function toVarValue(value: unknown): VarValue {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return value;
    case "bigint":
      return Number(value);
    case "symbol":
      return value.description ?? "";
    case "object":
      return objectToVarValue(value);
    default:
      return String(value);
  }
}

function objectToVarValue(value: object): VarValue {
  if (Array.isArray(value)) return value.map(toVarValue);
  if (value instanceof Set) return [...value].map(toVarValue);
  if (value instanceof Uint8Array) return Buffer.from(value).toString("utf8");
  const entries: Iterable<[unknown, unknown]> = value instanceof Map ? value.entries() : Object.entries(value);
  const converted: Array<[unknown, VarValue]> = [];
  for (const [key, item] of entries) converted.push([key, toVarValue(item)]);
  return pythonDict(converted);
}

/**
 * A dict built as Python builds it: keys Python holds equal (1, 1.0 and True; 0 and False) are one
 * key, kept where and as it was first written, with the last value.
 */
export function pythonDict(entries: Iterable<readonly [unknown, VarValue]>): Vars {
  const result: Vars = {};
  const names = new Map<string, string>();
  for (const [key, value] of entries) {
    const identity = pythonKeyIdentity(key);
    let name = names.get(identity);
    if (name === undefined) {
      name = varName(key);
      names.set(identity, name);
    }
    result[name] = value;
  }
  return result;
}

/** Equal for keys Python's dict treats as the same key. */
export function pythonKeyIdentity(key: unknown): string {
  if (typeof key === "boolean") return `number:${key ? 1 : 0}`;
  return `${typeof key}:${String(key)}`;
}

/** A mapping key as a variable name, written the way Python's json module writes non-string keys. */
export function varName(key: unknown): string {
  if (key === null || key === undefined) return "null";
  if (typeof key === "boolean") return key ? "true" : "false";
  return String(key);
}

export function isVarsMapping(value: VarValue): value is Vars {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
