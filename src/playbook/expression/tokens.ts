/**
 * The tokenizer: expression source to a list of tokens ending with an "end" token. It never
 * throws: text that cannot start a token becomes an "invalid" token carrying its own message and
 * hint, which the parser reports when it reaches it, so problems are reported left to right.
 */

export type Token =
  | { kind: "number"; value: number; text: string; column: number }
  | { kind: "string"; value: string; text: string; column: number }
  | { kind: "name"; text: string; column: number }
  | { kind: "operator"; text: Operator; column: number }
  | { kind: "invalid"; text: string; column: number; message: string; hint: string }
  | { kind: "end"; text: ""; column: number };

export type Operator = "(" | ")" | "[" | "]" | "," | "." | "|" | "-" | "==" | "!=" | "<" | "<=" | ">" | ">=";

const twoCharOperators = new Set<string>(["==", "!=", "<=", ">="]);
const oneCharOperators = new Set<string>(["(", ")", "[", "]", ",", ".", "|", "-", "<", ">"]);

const arithmeticHint = "arithmetic and string concatenation are not supported in conditions; compute the value in vars";

/** Characters that cannot start a token, with what to say about them. */
const invalidStarts: ReadonlyArray<[string, string, string]> = [
  // [text, message, hint]
  ["{{", "`{{` inside a condition", "conditions are already expressions: write `x` instead of `{{ x }}`"],
  ["}}", "`}}` inside a condition", "conditions are already expressions: write `x` instead of `{{ x }}`"],
  ["{%", "`{%` inside a condition", "template statements are not supported in conditions"],
  ["===", "unexpected `===`", "use == to compare (it already compares type and value)"],
  ["!==", "unexpected `!==`", "use != to compare (it already compares type and value)"],
  ["&&", "unexpected `&&`", "use `and` instead of &&"],
  ["||", "unexpected `||`", "use `or` instead of ||"],
  ["&", "unexpected `&`", "use `and` instead of &"],
  ["!", "unexpected `!`", "use `not` instead of !"],
  ["=", "unexpected `=`", "use == to compare"],
  ["{", "unexpected `{`", "mapping literals are not supported; define the mapping in vars"],
  ["}", "unexpected `}`", "mapping literals are not supported; define the mapping in vars"],
  [":", "unexpected `:`", "slices and mappings are not supported; use the `first`/`last` filters or an index like x[0]"],
  ["?", "unexpected `?`", "there is no ?: operator; write the condition with `and`/`or`"],
  ["+", "unexpected `+`", arithmeticHint],
  ["*", "unexpected `*`", arithmeticHint],
  ["/", "unexpected `/`", arithmeticHint],
  ["%", "unexpected `%`", arithmeticHint],
  ["~", "unexpected `~`", arithmeticHint],
];

const simpleEscapes: Readonly<Record<string, string>> = {
  "\\": "\\",
  "'": "'",
  '"': '"',
  "\n": "",
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "0": "\0",
};

const isSpace = (char: string): boolean => char === " " || char === "\t" || char === "\n" || char === "\r";
const isDigit = (char: string): boolean => char >= "0" && char <= "9";
const isNameStart = (char: string): boolean => (char >= "a" && char <= "z") || (char >= "A" && char <= "Z") || char === "_";
const isNameChar = (char: string): boolean => isNameStart(char) || isDigit(char);

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let position = 0;
  const at = (offset: number): string => source[position + offset] ?? "";

  while (position < source.length) {
    const char = at(0);
    const column = position + 1;
    if (isSpace(char)) {
      position++;
      continue;
    }
    if (isDigit(char)) {
      const end = numberEnd(source, position);
      const text = source.slice(position, end);
      position = end;
      if (isNameChar(at(0)) || (at(0) === "." && isDigit(at(1)))) {
        let stop = position;
        while (stop < source.length && (isNameChar(source[stop] ?? "") || source[stop] === ".")) stop++;
        const bad = source.slice(column - 1, stop);
        tokens.push({ kind: "invalid", text: bad, column, message: `malformed number \`${bad}\``, hint: "numbers are written like 42, 1.5 or 1e3; names cannot start with a digit" });
        position = stop;
        continue;
      }
      tokens.push({ kind: "number", value: Number(text), text, column });
      continue;
    }
    if (isNameStart(char)) {
      let end = position + 1;
      while (end < source.length && isNameChar(source[end] ?? "")) end++;
      tokens.push({ kind: "name", text: source.slice(position, end), column });
      position = end;
      continue;
    }
    if (char === "'" || char === '"') {
      const token = readString(source, position);
      tokens.push(token);
      position += token.text.length;
      continue;
    }
    const pair = char + at(1);
    if (twoCharOperators.has(pair) && at(2) !== "=") {
      tokens.push({ kind: "operator", text: pair as Operator, column });
      position += 2;
      continue;
    }
    if (oneCharOperators.has(char) && pair !== "||") {
      tokens.push({ kind: "operator", text: char as Operator, column });
      position += 1;
      continue;
    }
    const known = invalidStarts.find(([text]) => source.startsWith(text, position));
    const text = known?.[0] ?? String.fromCodePoint(source.codePointAt(position) ?? 0);
    const message = known?.[1] ?? `unexpected character ${JSON.stringify(text)}`;
    const hint = known?.[2] ?? "expressions use names, numbers, quoted strings, [lists], ( ), comparisons, `and`/`or`/`not`, `is` tests and `|` filters";
    tokens.push({ kind: "invalid", text, column, message, hint });
    position += text.length;
  }
  tokens.push({ kind: "end", text: "", column: source.length + 1 });
  return tokens;
}

/** End of the number starting at `start`: digits, optional fraction, optional exponent. */
function numberEnd(source: string, start: number): number {
  let end = start;
  const digitsFrom = (from: number): number => {
    let index = from;
    while (index < source.length && isDigit(source[index] ?? "")) index++;
    return index;
  };
  end = digitsFrom(end);
  if (source[end] === "." && isDigit(source[end + 1] ?? "")) end = digitsFrom(end + 1);
  if (source[end] === "e" || source[end] === "E") {
    const signed = source[end + 1] === "+" || source[end + 1] === "-" ? end + 2 : end + 1;
    if (isDigit(source[signed] ?? "")) end = digitsFrom(signed);
  }
  return end;
}

/** A quoted string with Python's backslash escapes; unknown escapes keep their backslash. */
function readString(source: string, start: number): Token {
  const quote = source[start] ?? "'";
  const column = start + 1;
  let value = "";
  let position = start + 1;
  while (position < source.length) {
    const char = source[position] ?? "";
    if (char === quote) {
      return { kind: "string", value, text: source.slice(start, position + 1), column };
    }
    if (char !== "\\") {
      value += char;
      position++;
      continue;
    }
    const next = source[position + 1];
    if (next === undefined) break;
    const simple = simpleEscapes[next];
    if (simple !== undefined) {
      value += simple;
      position += 2;
      continue;
    }
    const width = next === "x" ? 2 : next === "u" ? 4 : next === "U" ? 8 : 0;
    if (width > 0) {
      const digits = source.slice(position + 2, position + 2 + width);
      const code = /^[0-9a-fA-F]+$/.test(digits) && digits.length === width ? Number.parseInt(digits, 16) : Number.NaN;
      if (!(code <= 0x10ffff)) {
        const text = source.slice(position, position + 2 + digits.length);
        return {
          kind: "invalid",
          text: source.slice(start, position + 2 + digits.length),
          column: position + 1,
          message: `bad escape \`${text}\` in a string`,
          hint: `\\${next} needs exactly ${width} hex digits${next === "U" ? " (at most 0010FFFF)" : ""}; write \\\\ for a backslash`,
        };
      }
      value += String.fromCodePoint(code);
      position += 2 + width;
      continue;
    }
    value += `\\${next}`;
    position += 2;
  }
  return {
    kind: "invalid",
    text: source.slice(start),
    column,
    message: "unterminated string",
    hint: `close the string with ${quote}`,
  };
}
