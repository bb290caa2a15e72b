import type { VarValue } from "./types.js";

/**
 * JSON text as Python's json.dumps(value, sort_keys=True, indent=4, ensure_ascii=False) writes it,
 * which is what ansible-inventory prints: keys sorted, four-space indent, non-integer floats in
 * Python's repr (1e-05, 1.5), NaN and Infinity spelled out. A float with no fraction prints as an
 * integer (JavaScript does not keep the difference between 1 and 1.0).
 */
export function pythonJson(value: VarValue, indent = 4): string {
  const sorted = sortedForNativeJson(value);
  if (sorted !== unsupported) return JSON.stringify(sorted, null, indent);
  return write(value, "", " ".repeat(indent));
}

const unsupported = Symbol("needs the Python-style writer");
const arrayIndexKey = /^(?:0|[1-9][0-9]{0,9})$/;

/**
 * A copy with keys inserted in sorted order, for the (much faster) native JSON.stringify; or
 * `unsupported` where its output would differ from Python's: keys that JavaScript objects
 * reorder (array indexes such as "10") and numbers JavaScript formats differently.
 */
function sortedForNativeJson(value: VarValue): VarValue | typeof unsupported {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return writesAlike(value) ? value : unsupported;
  if (Array.isArray(value)) {
    const items: VarValue[] = [];
    for (const item of value) {
      const sorted = sortedForNativeJson(item);
      if (sorted === unsupported) return unsupported;
      items.push(sorted);
    }
    return items;
  }
  const keys = Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const result: Record<string, VarValue> = {};
  for (const key of keys) {
    const first = key.charCodeAt(0);
    if (first >= 48 && first <= 57 && arrayIndexKey.test(key)) return unsupported;
    const sorted = sortedForNativeJson(value[key] ?? null);
    if (sorted === unsupported) return unsupported;
    result[key] = sorted;
  }
  return result;
}

function write(value: VarValue, current: string, step: string): string {
  if (value === null) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return pythonNumber(value);
  if (typeof value === "string") return JSON.stringify(value);
  const inner = current + step;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[\n${value.map((item) => inner + write(item, inner, step)).join(",\n")}\n${current}]`;
  }
  const keys = Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (keys.length === 0) return "{}";
  return `{\n${keys.map((key) => `${inner}${JSON.stringify(key)}: ${write(value[key] ?? null, inner, step)}`).join(",\n")}\n${current}}`;
}

/** Whether JSON.stringify writes the number as Python does (same digits, no exponent on either side). */
function writesAlike(value: number): boolean {
  const magnitude = Math.abs(value);
  if (Number.isInteger(value)) return magnitude < 1e21 && !Object.is(value, -0);
  return Number.isFinite(value) && magnitude >= 1e-4 && magnitude < 1e16;
}

export function pythonNumber(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "Infinity";
  if (value === -Infinity) return "-Infinity";
  if (Number.isInteger(value)) {
    if (Object.is(value, -0)) return "-0.0";
    return Math.abs(value) < 1e21 ? String(value) : BigInt(value).toString();
  }
  const [mantissa = "0", exponentText = "0"] = value.toExponential().split("e");
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16) {
    const sign = exponent < 0 ? "-" : "+";
    return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  return String(value);
}
