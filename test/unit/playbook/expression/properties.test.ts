import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  ExpressionError,
  FILTER_NAMES,
  TEST_NAMES,
  evaluate,
  evaluateCondition,
  parseExpression,
  scopeOf,
  type CompareOperator,
  type ExprNode,
  type Expression,
  type LiteralValue,
} from "../../../../src/playbook/expression/index.js";

const variables = {
  a: 1,
  b: "text",
  s: "Hello World",
  l: [1, "two", [3], null],
  m: { a: 1, b: [1, 2], x: { kernel: "6.8" }, in: true },
  n: null,
  r: { changed: true, failed: false, rc: 0 },
};
const scope = scopeOf(variables);
const names = [...Object.keys(variables), "undefined_var"];
const keys = ["a", "b", "x", "kernel", "in", "rc", "changed", "missing"];

type Outcome = { value: unknown } | { code: string; message: string; hint: string };

/** The value, or the ExpressionError's code, message and hint (not its column: the sources differ). */
function outcome(run: () => unknown): Outcome {
  try {
    return { value: run() };
  } catch (error) {
    if (error instanceof ExpressionError) return { code: error.code, message: error.message, hint: error.hint };
    throw error;
  }
}

// ---- (1) any text: parseExpression returns or throws ExpressionError, nothing else, promptly

const fragments = [
  "a", "x.y", "m['a']", "l[0]", "[", "]", "(", ")", "'", '"', "\\", " ", "\n", ",", ".", "|", "-", "==", "!=", "<", "<=", ">", ">=",
  "and", "or", "not", "in", "is", "not in", "is not", "defined", "none", "true", "True", "null", "length", "default(", "d(", "int", "first",
  "1", "2.5", "1e", "1e+3", "0x1", "&&", "||", "=", "!", "{{", "}}", "{", ":", "+", "é", "😀", "\ud800", "\\x", "\\u12", "\\U0010FFFF",
];

const arbitrarySource = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.array(fc.constantFrom(...fragments), { maxLength: 60 }).map((parts) => parts.join("").slice(0, 200)),
);

describe("property: parsing any text", () => {
  test("returns an Expression or throws an ExpressionError with a column inside the text; evaluating it does the same", () => {
    fc.assert(
      fc.property(arbitrarySource, (source) => {
        let expression: Expression;
        try {
          expression = parseExpression(source);
        } catch (error) {
          expect(error).toBeInstanceOf(ExpressionError);
          if (error instanceof ExpressionError) {
            expect(error.code).toBe("EXPRESSION_SYNTAX");
            expect(error.column).toBeGreaterThanOrEqual(1);
            expect(error.column).toBeLessThanOrEqual(source.length + 1);
            expect(error.hint.length).toBeGreaterThan(0);
          }
          return;
        }
        expect(expression.source).toBe(source);
        const result = outcome(() => evaluate(expression, scope));
        if ("code" in result) expect(result.code).toBe("EXPRESSION_EVAL");
      }),
      { numRuns: 3000 },
    );
  });

  test("pathological inputs of the maximum length fail fast", () => {
    const worst = ["(", "[", "not ", "-", "a.", "'\\", "[1,", "x | lower", "a or ", "a == ", " ", "x[", "'"];
    const started = performance.now();
    for (const piece of worst) {
      const source = piece.repeat(Math.ceil(4096 / piece.length)).slice(0, 4096);
      const result = outcome(() => evaluate(parseExpression(source), scope));
      expect("code" in result ? result.code : "value").toMatch(/^(EXPRESSION_SYNTAX|EXPRESSION_EVAL|value)$/);
    }
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

// ---- (2) generated trees: print, parse back, same tree and same value

const zero = 0;

const literalValue: fc.Arbitrary<LiteralValue> = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ maxLength: 6 }),
  fc.string({ unit: "binary", maxLength: 4 }),
  fc.constantFrom("", "yes", "1", "3.5", " x ", "a", "Hello"),
  fc.boolean(),
  fc.constant(null),
);

const compareOperators: CompareOperator[] = ["==", "!=", "<", "<=", ">", ">=", "in", "not in"];

const { node: arbitraryNode } = fc.letrec<{ node: ExprNode }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", maxDepth: 5 },
    fc.oneof(
      literalValue.map((value): ExprNode => ({ type: "literal", value, column: zero })),
      fc.constantFrom(...names).map((name): ExprNode => ({ type: "name", name, column: zero })),
    ),
    fc.array(tie("node"), { maxLength: 3 }).map((items): ExprNode => ({ type: "list", items, column: zero })),
    fc.tuple(tie("node"), fc.constantFrom(...keys)).map(([object, name]): ExprNode => ({ type: "attribute", object, name, column: zero })),
    fc.tuple(tie("node"), tie("node")).map(([object, index]): ExprNode => ({ type: "index", object, index, column: zero })),
    // The parser reads `-5` as the literal -5, so the generator does too.
    tie("node").map((operand): ExprNode =>
      operand.type === "literal" && typeof operand.value === "number" ? { ...operand, value: -operand.value } : { type: "negate", operand, column: zero },
    ),
    tie("node").map((operand): ExprNode => ({ type: "not", operand, column: zero })),
    fc
      .tuple(fc.constantFrom("and" as const, "or" as const), fc.array(tie("node"), { minLength: 2, maxLength: 3 }))
      .map(([operator, operands]): ExprNode => ({ type: "logical", operator, operands, column: zero })),
    fc
      .tuple(tie("node"), fc.array(fc.tuple(fc.constantFrom(...compareOperators), tie("node")), { minLength: 1, maxLength: 2 }))
      .map(([first, links]): ExprNode => ({ type: "compare", first, rest: links.map(([operator, operand]) => ({ operator, operand, column: zero })), column: zero })),
    fc
      .tuple(tie("node"), fc.constantFrom(...TEST_NAMES), fc.boolean())
      .map(([operand, name, negated]): ExprNode => ({ type: "test", operand, name, negated, column: zero })),
    fc
      .tuple(tie("node"), fc.constantFrom(...FILTER_NAMES), fc.array(tie("node"), { maxLength: 2 }))
      .map(([operand, name, args]): ExprNode => ({ type: "filter", operand, name, args: name === "default" || name === "d" ? args : [], column: zero })),
  ),
}));

function printLiteral(value: LiteralValue): string {
  if (value === null) return "none";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return Object.is(value, -0) ? "-0" : String(value);
  return `'${value.replaceAll("\\", "\\\\").replaceAll("'", "\\'").replaceAll("\n", "\\n")}'`;
}

/** Source text for a tree: every operand of an operator is parenthesized, so no precedence is needed. */
function print(node: ExprNode): string {
  const wrapped = (child: ExprNode): string => `(${print(child)})`;
  switch (node.type) {
    case "literal":
      return printLiteral(node.value);
    case "list":
      return `[${node.items.map(print).join(", ")}]`;
    case "name":
      return node.name;
    case "attribute":
      return `${wrapped(node.object)}.${node.name}`;
    case "index":
      return `${wrapped(node.object)}[${print(node.index)}]`;
    case "negate":
      return `-${wrapped(node.operand)}`;
    case "not":
      return `not ${wrapped(node.operand)}`;
    case "logical":
      return node.operands.map(wrapped).join(` ${node.operator} `);
    case "compare":
      return [wrapped(node.first), ...node.rest.map((link) => `${link.operator} ${wrapped(link.operand)}`)].join(" ");
    case "test":
      return `${wrapped(node.operand)} is ${node.negated ? "not " : ""}${node.name}`;
    case "filter":
      return `${wrapped(node.operand)} | ${node.name}${node.args.length > 0 ? `(${node.args.map(print).join(", ")})` : ""}`;
  }
}

/** The tree without columns. */
function withoutColumns(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutColumns);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).filter(([key]) => key !== "column").map(([key, item]) => [key, withoutColumns(item)]));
  }
  return value;
}

describe("property: parse(print(tree))", () => {
  test("gives back the same tree, which evaluates to the same value or the same error", () => {
    fc.assert(
      fc.property(arbitraryNode, (ast) => {
        const source = print(ast);
        const parsed = parseExpression(source);
        expect(withoutColumns(parsed.ast)).toEqual(withoutColumns(ast));
        expect(outcome(() => evaluate(parsed, scope))).toEqual(outcome(() => evaluate({ source, ast }, scope)));
      }),
      { numRuns: 2000 },
    );
  });
});

// ---- (3) boolean laws over arbitrary values, against an independent truthiness oracle

function pythonTruthy(value: unknown): boolean {
  if (value === null || value === false || value === 0 || value === "") return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object") return Object.keys(value).length > 0;
  return true;
}

const values = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom<unknown>(0, "", [], {}, null, false, true, "0", [0], { k: null }));

describe("property: boolean laws", () => {
  const deMorganAnd = parseExpression("(not (a and b)) == (not a or not b)");
  const deMorganOr = parseExpression("(not (a or b)) == (not a and not b)");
  const notAnd = parseExpression("not (a and b)");
  const notAOrNotB = parseExpression("not a or not b");
  const and = parseExpression("a and b");
  const or = parseExpression("a or b");
  const not = parseExpression("not a");

  test("not (a and b) == (not a or not b), and its dual", () => {
    fc.assert(
      fc.property(values, values, (a, b) => {
        const within = scopeOf({ a, b });
        expect(evaluate(deMorganAnd, within)).toBe(true);
        expect(evaluate(deMorganOr, within)).toBe(true);
        expect(evaluate(notAnd, within)).toBe(evaluate(notAOrNotB, within));
      }),
      { numRuns: 1000 },
    );
  });

  test("and/or/not return booleans that follow Python truthiness", () => {
    fc.assert(
      fc.property(values, values, (a, b) => {
        const within = scopeOf({ a, b });
        expect(evaluate(and, within)).toBe(pythonTruthy(a) && pythonTruthy(b));
        expect(evaluate(or, within)).toBe(pythonTruthy(a) || pythonTruthy(b));
        expect(evaluate(not, within)).toBe(!pythonTruthy(a));
        expect(evaluateCondition(parseExpression("a"), within)).toBe(pythonTruthy(a));
      }),
      { numRuns: 1000 },
    );
  });

  test("== is reflexive and symmetric on data, and agrees with structural equality", () => {
    const equal = parseExpression("a == b");
    const reversed = parseExpression("b == a");
    const same = parseExpression("a == a");
    fc.assert(
      fc.property(values, values, (a, b) => {
        const within = scopeOf({ a, b });
        expect(evaluate(same, within)).toBe(true);
        expect(evaluate(equal, within)).toBe(evaluate(reversed, within));
        expect(evaluate(equal, within)).toBe(isDeepStrictEqualIgnoringKeyOrder(a, b));
      }),
      { numRuns: 1000 },
    );
  });
});

function isDeepStrictEqualIgnoringKeyOrder(a: unknown, b: unknown): boolean {
  const canonical = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(canonical);
    if (typeof value === "object" && value !== null) return Object.fromEntries(Object.keys(value).sort().map((key) => [key, canonical((value as Record<string, unknown>)[key])]));
    return typeof value === "number" && value === 0 ? 0 : value;
  };
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}
