import { childrenOf, type CompareNode, type CompareOperator, type ExprNode, type Expression } from "./ast.js";
import { MAX_DEPTH, MAX_SOURCE_LENGTH, syntaxError, type ExpressionError } from "./errors.js";
import { FILTERS, FILTER_NAMES } from "./filters.js";
import { TESTS, TEST_NAMES } from "./tests.js";
import { tokenize, type Token } from "./tokens.js";
import { KEYWORDS, LITERAL_WORDS, suggestName } from "./words.js";

/**
 * Parse a `when`-style expression (a Jinja2 expression subset) into a syntax tree. Throws an
 * ExpressionError (code EXPRESSION_SYNTAX) for anything else, with the column and a hint.
 *
 * Grammar, lowest precedence first (recursive descent, one function per level):
 *   or       := and ("or" and)*
 *   and      := not ("and" not)*
 *   not      := "not" not | compare
 *   compare  := test (("=="|"!="|"<"|"<="|">"|">="|"in"|"not" "in") test)*
 *   test     := filter ("is" ["not"] NAME)*
 *   filter   := unary ("|" NAME ["(" args ")"])*
 *   unary    := "-" unary | postfix
 *   postfix  := primary ("." NAME | "[" or "]")*
 *   primary  := NUMBER | STRING | true | false | none | NAME | "(" or ")" | "[" [or ("," or)* [","]] "]"
 * Tests bind tighter than comparisons, as in Jinja2: `a == b is defined` is `a == (b is defined)`.
 */
export function parseExpression(source: string): Expression {
  if (source.length > MAX_SOURCE_LENGTH) {
    throw syntaxError(source, MAX_SOURCE_LENGTH + 1, `expression is longer than ${MAX_SOURCE_LENGTH} characters`, "split it into several conditions: `when:` and `assert.that:` accept a list, and every item must hold");
  }
  return { source, ast: new Parser(source).parseAll() };
}

const compareOperators = new Set<string>(["==", "!=", "<", "<=", ">", ">="]);

class Parser {
  private readonly tokens: Token[];
  private index = 0;
  private nesting = 0;
  /** Height of every node built so far (a leaf is 1). */
  private readonly heights = new WeakMap<ExprNode, number>();

  constructor(private readonly source: string) {
    this.tokens = tokenize(source);
  }

  parseAll(): ExprNode {
    if (this.peek().kind === "end") {
      throw this.error(this.peek(), "empty expression", "write a condition such as `result is changed` or `x == 1`");
    }
    const node = this.parseOr();
    const next = this.peek();
    if (next.kind !== "end") throw this.trailing(next);
    return node;
  }

  // ---- token helpers

  private peek(offset = 0): Token {
    const token = this.tokens[Math.min(this.index + offset, this.tokens.length - 1)];
    if (token === undefined) throw new Error("tokenizer returned no end token");
    return token;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind === "invalid") throw this.error(token, token.message, token.hint);
    if (token.kind !== "end") this.index++;
    return token;
  }

  private isWord(word: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token.kind === "name" && token.text === word;
  }

  private isOperator(text: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token.kind === "operator" && token.text === text;
  }

  private error(token: Token, message: string, hint: string): ExpressionError {
    return syntaxError(this.source, token.column, message, hint);
  }

  /** Count one more level of nesting at `token`; a parser recursion is one level at most. */
  private enter(token: Token): void {
    this.nesting++;
    if (this.nesting > MAX_DEPTH) throw this.tooDeep(token.column);
  }

  private leave(): void {
    this.nesting--;
  }

  private tooDeep(column: number): ExpressionError {
    return syntaxError(this.source, column, `expression is nested more than ${MAX_DEPTH} levels deep`, "simplify it, or split it into several conditions (a list under `when:` must all hold)");
  }

  /** Register a new node, checking the height of the tree (evaluation recurses over it). */
  private build<T extends ExprNode>(node: T): T {
    let height = 1;
    for (const child of childrenOf(node)) height = Math.max(height, (this.heights.get(child) ?? 1) + 1);
    if (height > MAX_DEPTH) throw this.tooDeep(node.column);
    this.heights.set(node, height);
    return node;
  }

  // ---- grammar levels, lowest precedence first

  private parseOr(): ExprNode {
    this.enter(this.peek());
    const first = this.parseAnd();
    const node = this.isWord("or") ? this.logical("or", first, () => this.parseAnd()) : first;
    this.leave();
    return node;
  }

  private parseAnd(): ExprNode {
    const first = this.parseNot();
    return this.isWord("and") ? this.logical("and", first, () => this.parseNot()) : first;
  }

  private logical(operator: "and" | "or", first: ExprNode, operand: () => ExprNode): ExprNode {
    const column = this.peek().column;
    const operands = [first];
    while (this.isWord(operator)) {
      this.next();
      operands.push(operand());
    }
    return this.build({ type: "logical", operator, operands, column });
  }

  private parseNot(): ExprNode {
    if (!this.isWord("not")) return this.parseCompare();
    const token = this.next();
    this.enter(token);
    const operand = this.parseNot();
    this.leave();
    return this.build({ type: "not", operand, column: token.column });
  }

  private parseCompare(): ExprNode {
    const first = this.parseTest();
    const rest: CompareNode["rest"] = [];
    for (;;) {
      const token = this.peek();
      let operator: CompareOperator;
      if (token.kind === "operator" && compareOperators.has(token.text)) {
        operator = token.text as CompareOperator;
        this.next();
      } else if (this.isWord("in")) {
        operator = "in";
        this.next();
      } else if (this.isWord("not") && this.isWord("in", 1)) {
        operator = "not in";
        this.next();
        this.next();
      } else {
        break;
      }
      rest.push({ operator, operand: this.parseTest(), column: token.column });
    }
    if (rest.length === 0) return first;
    return this.build({ type: "compare", first, rest, column: rest[0]?.column ?? 1 });
  }

  private parseTest(): ExprNode {
    let node = this.parseFilter();
    while (this.isWord("is")) {
      this.next();
      const negated = this.isWord("not");
      if (negated) this.next();
      const token = this.peek();
      if (token.kind !== "name") {
        throw this.error(token, `expected a test name after \`is${negated ? " not" : ""}\`, found ${describe(token)}`, `known tests: ${TEST_NAMES.join(", ")}`);
      }
      this.next();
      if (!TESTS.has(token.text)) {
        throw this.error(token, `unknown test \`${token.text}\``, suggestName(token.text, TEST_NAMES, "tests"));
      }
      if (this.isOperator("(")) {
        throw this.error(this.peek(), `the \`${token.text}\` test takes no arguments`, `write \`x is ${token.text}\``);
      }
      node = this.build({ type: "test", operand: node, name: token.text, negated, column: token.column });
    }
    return node;
  }

  private parseFilter(): ExprNode {
    let node = this.parseUnary();
    while (this.isOperator("|")) {
      this.next();
      const token = this.peek();
      if (token.kind !== "name") {
        throw this.error(token, `expected a filter name after \`|\`, found ${describe(token)}`, `known filters: ${FILTER_NAMES.join(", ")}`);
      }
      this.next();
      const filter = FILTERS.get(token.text);
      if (filter === undefined) {
        throw this.error(token, `unknown filter \`${token.text}\``, suggestName(token.text, FILTER_NAMES, "filters"));
      }
      const args = this.isOperator("(") ? this.parseArguments() : [];
      if (args.length < filter.minArgs || args.length > filter.maxArgs) {
        const expected = filter.maxArgs === 0 ? "no arguments" : filter.minArgs === filter.maxArgs ? `${filter.minArgs} argument(s)` : `${filter.minArgs} to ${filter.maxArgs} arguments`;
        const hint = filter.maxArgs === 0 ? `write \`x | ${token.text}\`` : `write \`x | ${token.text}(value)\``;
        throw this.error(token, `filter \`${token.text}\` takes ${expected}, got ${args.length}`, hint);
      }
      node = this.build({ type: "filter", operand: node, name: token.text, args, column: token.column });
    }
    return node;
  }

  /** `( [or ("," or)* [","]] )` after a filter name. */
  private parseArguments(): ExprNode[] {
    const open = this.next();
    return this.parseItems(open, ")");
  }

  /** Comma-separated expressions up to `close`, after the opening token. */
  private parseItems(open: Token, close: ")" | "]"): ExprNode[] {
    const items: ExprNode[] = [];
    while (!this.isOperator(close)) {
      items.push(this.parseOr());
      if (this.isOperator(",")) {
        this.next();
        continue;
      }
      if (!this.isOperator(close)) throw this.unclosed(open, close, true);
    }
    this.next();
    return items;
  }

  private parseUnary(): ExprNode {
    if (!this.isOperator("-")) return this.parsePostfix();
    const token = this.next();
    this.enter(token);
    const operand = this.parseUnary();
    this.leave();
    // `-1` is a literal, so that messages name `x[-1]` as written.
    if (operand.type === "literal" && typeof operand.value === "number") return this.build({ type: "literal", value: -operand.value, column: token.column });
    return this.build({ type: "negate", operand, column: token.column });
  }

  private parsePostfix(): ExprNode {
    let node = this.parsePrimary();
    for (;;) {
      if (this.isOperator(".")) {
        const dot = this.next();
        const token = this.peek();
        if (token.kind !== "name") {
          const hint = token.kind === "number" ? `use an index for list items: x[${token.text}]` : "write an attribute name after the dot, e.g. `result.stdout`";
          throw this.error(token.kind === "end" ? dot : token, `expected an attribute name after \`.\`, found ${describe(token)}`, hint);
        }
        this.next();
        node = this.build({ type: "attribute", object: node, name: token.text, column: token.column });
      } else if (this.isOperator("[")) {
        const open = this.next();
        if (this.isOperator("]")) throw this.error(this.peek(), "empty index `[]`", "write the key or position inside the brackets, e.g. x['key'] or x[0]");
        const index = this.parseOr();
        if (!this.isOperator("]")) throw this.unclosed(open, "]");
        this.next();
        node = this.build({ type: "index", object: node, index, column: open.column });
      } else if (this.isOperator("(")) {
        const hint =
          node.type === "attribute"
            ? "method calls are not supported; use the `in` operator (`'text' in x`), a comparison or a filter"
            : "function calls (lookup, query, ...) are not supported; compute the value in vars or register it in an earlier task";
        throw this.error(this.peek(), "calls are not supported in expressions", hint);
      } else {
        return node;
      }
    }
  }

  private parsePrimary(): ExprNode {
    const token = this.next();
    switch (token.kind) {
      case "number":
      case "string":
        return this.build({ type: "literal", value: token.value, column: token.column });
      case "name": {
        const literal = LITERAL_WORDS.get(token.text);
        if (literal !== undefined) return this.build({ type: "literal", value: literal, column: token.column });
        if (KEYWORDS.has(token.text)) {
          throw this.error(token, `expected a value, found \`${token.text}\``, `\`${token.text}\` is an operator: it needs a value on its left${token.text === "not" ? "" : " and right"}`);
        }
        return this.build({ type: "name", name: token.text, column: token.column });
      }
      case "operator":
        if (token.text === "(") {
          const inner = this.parseOr();
          if (!this.isOperator(")")) throw this.unclosed(token, ")");
          this.next();
          return inner;
        }
        if (token.text === "[") {
          const items = this.parseItems(token, "]");
          return this.build({ type: "list", items, column: token.column });
        }
        throw this.error(token, `expected a value, found \`${token.text}\``, "a value is a name, number, quoted string, true/false/none, a [list] or a (parenthesized expression)");
      case "end": {
        const previous = this.tokens[this.index - 1];
        const after = previous === undefined ? "" : ` after \`${previous.text}\``;
        throw this.error(token, `unexpected end of expression${after}`, previous === undefined ? "write a condition" : `\`${previous.text}\` needs a value after it`);
      }
      case "invalid":
        throw this.error(token, token.message, token.hint);
    }
  }

  private unclosed(open: Token, close: ")" | "]", inList = false): ExpressionError {
    const token = this.peek();
    if (token.kind === "invalid") return this.error(token, token.message, token.hint);
    const found = token.kind === "end" ? "end of expression" : describe(token);
    const separator = inList ? " or `,`" : "";
    return this.error(token, `expected \`${close}\`${separator}, found ${found}`, `close the \`${open.text}\` opened at column ${open.column}`);
  }

  /** A token after a complete expression. */
  private trailing(token: Token): ExpressionError {
    if (token.kind === "invalid") return this.error(token, token.message, token.hint);
    const message = `unexpected ${describe(token)} after a complete expression`;
    if (token.kind === "operator") {
      if (token.text === ")" || token.text === "]") return this.error(token, `unmatched \`${token.text}\``, `remove it, or add the matching \`${token.text === ")" ? "(" : "["}\` before it`);
      if (token.text === "-") return this.error(token, message, "arithmetic and string concatenation are not supported in conditions; compute the value in vars");
    }
    if (token.kind === "name" && token.text === "not") return this.error(token, message, "write `x not in y` or `x is not TEST`, or put `not` before the whole condition");
    if (token.kind === "name" && (token.text === "if" || token.text === "else")) return this.error(token, message, "conditional expressions (A if B else C) are not supported; combine conditions with `and`/`or`");
    return this.error(token, message, "join conditions with `and` or `or`");
  }
}

function describe(token: Token): string {
  switch (token.kind) {
    case "end":
      return "end of expression";
    case "number":
      return `number ${token.text}`;
    case "string":
      return `string ${token.text}`;
    default:
      return `\`${token.text}\``;
  }
}
