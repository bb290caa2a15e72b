/**
 * The text of `JSON.stringify(value, null, 2)` plus a final newline, in pieces: objects and
 * arrays down to `streamDepth` levels are walked here, deeper values are stringified whole. A
 * 1,000-host report is then never one 30 MB string (and its copies) in memory at once.
 */
export function* jsonChunks(value: unknown, streamDepth = 2): Generator<string> {
  yield* chunksOf(value, "", streamDepth);
  yield "\n";
}

function* chunksOf(value: unknown, indent: string, depthLeft: number): Generator<string> {
  const json = toJsonValue(value);
  if (depthLeft <= 0 || json === null || typeof json !== "object") {
    yield reindent(JSON.stringify(json, null, 2) ?? "null", indent);
    return;
  }
  const inner = `${indent}  `;
  const entries: [string | null, unknown][] = Array.isArray(json)
    ? json.map((item: unknown) => [null, representable(toJsonValue(item)) ? item : null])
    : Object.entries(json).filter(([, item]) => representable(toJsonValue(item)));
  const [open, close] = Array.isArray(json) ? ["[", "]"] : ["{", "}"];
  if (entries.length === 0) {
    yield `${open}${close}`;
    return;
  }
  yield `${open}\n`;
  for (const [index, [key, item]] of entries.entries()) {
    yield key === null ? inner : `${inner}${JSON.stringify(key)}: `;
    yield* chunksOf(item, inner, depthLeft - 1);
    yield index < entries.length - 1 ? ",\n" : "\n";
  }
  yield `${indent}${close}`;
}

/** What JSON.stringify would serialise in place of `value` (toJSON, boxed primitives). */
function toJsonValue(value: unknown): unknown {
  if (value !== null && typeof value === "object" && "toJSON" in value && typeof value.toJSON === "function") return (value.toJSON as () => unknown)();
  if (value instanceof Number || value instanceof String || value instanceof Boolean) return value.valueOf();
  return value;
}

/** JSON.stringify leaves these out of objects and writes null for them in arrays. */
const representable = (value: unknown): boolean => value !== undefined && typeof value !== "function" && typeof value !== "symbol";

/** JSON text never holds a raw newline inside a string, so every newline starts a line to indent. */
const reindent = (text: string, indent: string): string => (indent === "" ? text : text.replaceAll("\n", `\n${indent}`));
