import type { VarValue } from "./types.js";
import { pythonDict } from "./var-value.js";

/**
 * Python's ast.literal_eval for the values of INI inventories, which Ansible passes through it:
 * `22` is a number, `True` a boolean, `[1, 2]` a list, `'text'` a string without its quotes, and
 * anything that is not a Python literal (`yes`, `web01`, `{k:v}`) stays the text it was.
 * Returns undefined when the text is not a literal. Complex numbers are not supported.
 */
export function literalEval(text: string): VarValue | undefined {
  const parser = new LiteralParser(text.replace(/^[ \t]+/, ""));
  try {
    const value = parser.parseExpression();
    parser.skipSpace();
    if (!parser.atEnd()) return undefined;
    return value;
  } catch (error) {
    if (error instanceof NotALiteral) return undefined;
    throw error;
  }
}

/** The value Ansible's INI plugin stores for a raw `key=value` value text. */
export function iniValue(text: string): VarValue {
  const value = literalEval(text);
  return value === undefined ? text : value;
}

class NotALiteral extends Error {}

const identifierChar = /[\p{L}\p{N}_]/u;

const simpleEscapes: Record<string, string> = {
  "\n": "",
  "\\": "\\",
  "'": "'",
  '"': '"',
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
};

/**
 * Python's tokenizer refuses more than 200 brackets open at once ("too many nested parentheses",
 * a SyntaxError Ansible catches, keeping the text); the bound also keeps this recursive parser
 * far from the end of the stack, whatever a line holds.
 */
const MAX_NESTING = 200;

class LiteralParser {
  private position = 0;
  private nesting = 0;

  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.position >= this.text.length;
  }

  skipSpace(): void {
    while (!this.atEnd()) {
      const char = this.text[this.position];
      if (char === " " || char === "\t" || char === "\f") this.position++;
      else if (char === "#") this.position = this.text.length;
      else if (char === "\\" && this.text[this.position + 1] === "\n") this.position += 2;
      else break;
    }
  }

  private peek(): string {
    return this.text[this.position] ?? "";
  }

  private fail(): never {
    throw new NotALiteral();
  }

  private expect(char: string): void {
    this.skipSpace();
    if (this.peek() !== char) this.fail();
    this.position++;
  }

  /** A bare expression: one value or a tuple written without parentheses (`1, 2`). */
  parseExpression(): VarValue {
    const first = this.parseValue();
    this.skipSpace();
    if (this.peek() !== ",") return first;
    return this.parseCommaSeparated(first, "");
  }

  /** `first` and the values after it, each after a comma, up to `close` (or the end); a trailing comma is allowed. */
  private parseCommaSeparated(first: VarValue, close: string): VarValue[] {
    const items = [first];
    while (this.peek() === ",") {
      this.position++;
      this.skipSpace();
      if (this.atEnd() || this.peek() === close) break;
      items.push(this.parseValue());
      this.skipSpace();
    }
    return items;
  }

  private parseValue(): VarValue {
    this.skipSpace();
    const char = this.peek();
    if (char === "[") return this.nested(() => this.parseSequence("[", "]"));
    if (char === "(") return this.nested(() => this.parseParenthesized());
    if (char === "{") return this.nested(() => this.parseBraces());
    if (char === "-" || char === "+") {
      this.position++;
      this.skipSpace();
      const value = this.parseNumber();
      return char === "-" ? -value : value;
    }
    if (/[0-9.]/.test(char)) return this.parseNumber();
    const stringValue = this.tryParseStrings();
    if (stringValue !== undefined) return stringValue;
    return this.parseName();
  }

  private nested(parse: () => VarValue): VarValue {
    if (this.nesting >= MAX_NESTING) this.fail();
    this.nesting++;
    try {
      return parse();
    } finally {
      this.nesting--;
    }
  }

  private parseSequence(open: string, close: string): VarValue[] {
    this.expect(open);
    const items: VarValue[] = [];
    this.skipSpace();
    while (this.peek() !== close) {
      items.push(this.parseValue());
      this.skipSpace();
      if (this.peek() === ",") this.position++;
      else if (this.peek() !== close) this.fail();
      this.skipSpace();
    }
    this.position++;
    return items;
  }

  private parseParenthesized(): VarValue {
    this.expect("(");
    this.skipSpace();
    if (this.peek() === ")") {
      this.position++;
      return [];
    }
    const first = this.parseValue();
    this.skipSpace();
    if (this.peek() === ")") {
      this.position++;
      return first;
    }
    const items = this.parseCommaSeparated(first, ")");
    this.expect(")");
    return items;
  }

  private parseBraces(): VarValue {
    this.expect("{");
    this.skipSpace();
    if (this.peek() === "}") {
      this.position++;
      return {};
    }
    const firstKey = this.parseValue();
    this.skipSpace();
    if (this.peek() !== ":") {
      const items = this.parseCommaSeparated(firstKey, "}");
      this.expect("}");
      return items;
    }
    const entries: Array<[VarValue, VarValue]> = [];
    let key = firstKey;
    for (;;) {
      this.expect(":");
      if (typeof key === "object" && key !== null) this.fail();
      entries.push([key, this.parseValue()]);
      this.skipSpace();
      if (this.peek() === ",") {
        this.position++;
        this.skipSpace();
      }
      if (this.peek() === "}") break;
      key = this.parseValue();
    }
    this.position++;
    return pythonDict(entries);
  }

  private parseNumber(): number {
    const rest = this.text.slice(this.position);
    const match =
      /^0[xX](?:_?[0-9a-fA-F])+/.exec(rest) ??
      /^0[oO](?:_?[0-7])+/.exec(rest) ??
      /^0[bB](?:_?[01])+/.exec(rest) ??
      /^(?:(?:[0-9](?:_?[0-9])*)?\.[0-9](?:_?[0-9])*|[0-9](?:_?[0-9])*\.?)(?:[eE][-+]?[0-9](?:_?[0-9])*)?/.exec(rest);
    if (!match || match[0] === "." || match[0] === "") this.fail();
    const literal = match[0];
    const after = rest[literal.length] ?? "";
    if (identifierChar.test(after) || after === ".") this.fail();
    this.position += literal.length;
    const digits = literal.replace(/_/g, "");
    const prefix = digits.slice(0, 2).toLowerCase();
    if (prefix === "0x" || prefix === "0o" || prefix === "0b") return Number(BigInt(digits.toLowerCase()));
    if (/^[0-9]+$/.test(digits)) {
      if (digits.length > 1 && digits.startsWith("0") && /[1-9]/.test(digits)) this.fail();
      return Number(BigInt(digits));
    }
    return Number(digits);
  }

  /** One or more adjacent string literals, concatenated as Python does. */
  private tryParseStrings(): string | undefined {
    let result: string | undefined;
    for (;;) {
      this.skipSpace();
      const match = /^([rRuUbB]|[bB][rR]|[rR][bB])?(['"])/.exec(this.text.slice(this.position));
      if (!match) return result;
      const prefix = (match[1] ?? "").toLowerCase();
      this.position += match[0].length - 1;
      result = (result ?? "") + this.parseString(prefix.includes("r"));
    }
  }

  private parseString(raw: boolean): string {
    const quoteChar = this.peek();
    const triple = this.text.startsWith(quoteChar.repeat(3), this.position);
    const quote = triple ? quoteChar.repeat(3) : quoteChar;
    this.position += quote.length;
    let value = "";
    for (;;) {
      if (this.atEnd()) this.fail();
      if (this.text.startsWith(quote, this.position)) {
        this.position += quote.length;
        return value;
      }
      const char = this.peek();
      if (char === "\n" && !triple) this.fail();
      if (char !== "\\") {
        value += char;
        this.position++;
        continue;
      }
      const next = this.text[this.position + 1];
      if (next === undefined) this.fail();
      if (raw) {
        value += char + next;
        this.position += 2;
        continue;
      }
      value += this.parseEscape();
    }
  }

  private parseEscape(): string {
    const next = this.text[this.position + 1] ?? "";
    const simple = simpleEscapes[next];
    if (simple !== undefined) {
      this.position += 2;
      return simple;
    }
    const fixed: Record<string, number> = { x: 2, u: 4, U: 8 };
    const width = fixed[next];
    if (width !== undefined) {
      const hex = this.text.slice(this.position + 2, this.position + 2 + width);
      if (hex.length !== width || !/^[0-9a-fA-F]+$/.test(hex)) this.fail();
      this.position += 2 + width;
      return String.fromCodePoint(parseInt(hex, 16));
    }
    const octal = /^[0-7]{1,3}/.exec(this.text.slice(this.position + 1));
    if (octal) {
      this.position += 1 + octal[0].length;
      return String.fromCodePoint(parseInt(octal[0], 8));
    }
    if (next === "N") this.fail();
    this.position += 2;
    return `\\${next}`;
  }

  private parseName(): VarValue {
    const match = /^[\p{L}_][\p{L}\p{N}_]*/u.exec(this.text.slice(this.position));
    if (!match) this.fail();
    this.position += match[0].length;
    switch (match[0]) {
      case "True":
        return true;
      case "False":
        return false;
      case "None":
        return null;
      case "set": {
        this.expect("(");
        this.expect(")");
        return [];
      }
      default:
        this.fail();
    }
  }
}
