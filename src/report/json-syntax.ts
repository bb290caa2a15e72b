/**
 * Where a JSON text stops being JSON. JSON.parse says so for most errors ("... in JSON at position
 * 7"), but not for an unexpected token, which is the most common one ("Unexpected token 'p',
 * "...sc "pass"..." is not valid JSON"): this scanner finds that position (RFC 8259 syntax, with
 * the nesting kept on a stack of its own, so that any depth can be scanned).
 */
export function jsonSyntaxErrorOffset(text: string): number | undefined {
  const closers: string[] = [];
  // what may come next: a value, a value or "]" (just after "["), a key, a key or "}" (just after
  // "{"), the ":" after a key, or what follows a value ("," or the closer; the end at the top)
  let expecting: "value" | "value-or-close" | "key" | "key-or-close" | "colon" | "after-value" = "value";
  let index = skipSpace(text, 0);
  for (;;) {
    if (index >= text.length) return expecting === "after-value" && closers.length === 0 ? undefined : text.length;
    const char = text[index];
    const closer = closers[closers.length - 1];
    if ((expecting === "value-or-close" && char === "]") || (expecting === "key-or-close" && char === "}")) {
      closers.pop();
      index++;
      expecting = "after-value";
    } else if (expecting === "value" || expecting === "value-or-close") {
      if (char === "{" || char === "[") {
        closers.push(char === "{" ? "}" : "]");
        index++;
        expecting = char === "{" ? "key-or-close" : "value-or-close";
      } else {
        const end = scalarEnd(text, index);
        if (end < 0) return -end - 1;
        index = end;
        expecting = "after-value";
      }
    } else if (expecting === "key" || expecting === "key-or-close") {
      if (char !== '"') return index;
      const end = stringEnd(text, index);
      if (end < 0) return -end - 1;
      index = end;
      expecting = "colon";
    } else if (expecting === "colon") {
      if (char !== ":") return index;
      index++;
      expecting = "value";
    } else {
      if (closer === undefined) return index;
      if (char === ",") expecting = closer === "}" ? "key" : "value";
      else if (char === closer) {
        closers.pop();
        expecting = "after-value";
      } else return index;
      index++;
    }
    index = skipSpace(text, index);
  }
}

function skipSpace(text: string, from: number): number {
  let index = from;
  while (index < text.length && (text[index] === " " || text[index] === "\t" || text[index] === "\n" || text[index] === "\r")) index++;
  return index;
}

const numberPattern = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?/y;

/** The end of the scalar at `from`, or -(the error's offset + 1). */
function scalarEnd(text: string, from: number): number {
  const char = text[from];
  if (char === '"') return stringEnd(text, from);
  for (const word of ["true", "false", "null"]) {
    if (char !== word[0]) continue;
    for (let offset = 0; offset < word.length; offset++) if (text[from + offset] !== word[offset]) return -(from + offset) - 1;
    return from + word.length;
  }
  numberPattern.lastIndex = from;
  const match = numberPattern.exec(text);
  if (match === null) return -from - 1;
  return from + match[0].length;
}

/** The end of the string starting at `from` (its opening quote), or -(the error's offset + 1). */
function stringEnd(text: string, from: number): number {
  let index = from + 1;
  while (index < text.length) {
    const code = text.charCodeAt(index);
    if (code === 0x22) return index + 1;
    if (code < 0x20) return -index - 1;
    if (code === 0x5c) {
      const next = text[index + 1];
      if (next === "u") {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(index + 2, index + 6))) return -index - 1;
        index += 6;
        continue;
      }
      if (next === undefined || !'"\\/bfnrt'.includes(next)) return -index - 1;
      index += 2;
      continue;
    }
    index++;
  }
  return -text.length - 1;
}
