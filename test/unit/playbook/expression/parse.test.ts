import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { FleetError } from "../../../../src/errors.js";
import { ExpressionError, MAX_SOURCE_LENGTH, parseExpression, referencedNames, type ExprNode } from "../../../../src/playbook/expression/index.js";

/** A compact, fully bracketed rendering of a tree, to check its shape. */
function shape(node: ExprNode): string {
  switch (node.type) {
    case "literal":
      return JSON.stringify(node.value);
    case "list":
      return `[${node.items.map(shape).join(" ")}]`;
    case "name":
      return node.name;
    case "attribute":
      return `(. ${shape(node.object)} ${node.name})`;
    case "index":
      return `([] ${shape(node.object)} ${shape(node.index)})`;
    case "negate":
      return `(- ${shape(node.operand)})`;
    case "not":
      return `(not ${shape(node.operand)})`;
    case "logical":
      return `(${node.operator} ${node.operands.map(shape).join(" ")})`;
    case "compare":
      return `(${[shape(node.first), ...node.rest.map((link) => `${link.operator} ${shape(link.operand)}`)].join(" ")})`;
    case "test":
      return `(is${node.negated ? " not" : ""} ${shape(node.operand)} ${node.name})`;
    case "filter":
      return `(| ${[shape(node.operand), node.name, ...node.args.map(shape)].join(" ")})`;
  }
}

function syntaxErrorOf(source: string): ExpressionError {
  try {
    parseExpression(source);
  } catch (error) {
    if (error instanceof ExpressionError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(source)} not to parse`);
}

describe("parseExpression: literals and paths", () => {
  test.each<[string, string]>([
    ["42", "42"],
    ["-7", "-7"],
    ["1.5", "1.5"],
    ["1e3", "1000"],
    ["2.5E-1", "0.25"],
    ["'single'", '"single"'],
    ['"double"', '"double"'],
    ["'it\\'s'", '"it\'s"'],
    ['"say \\"hi\\""', '"say \\"hi\\""'],
    ["'a\\tb\\nc\\\\d'", '"a\\tb\\nc\\\\d"'],
    ["'\\x41\\u00e9\\U0001F600'", '"Aé😀"'],
    ["'keep \\d'", '"keep \\\\d"'],
    ["true", "true"],
    ["True", "true"],
    ["false", "false"],
    ["False", "false"],
    ["none", "null"],
    ["None", "null"],
    ["null", "null"],
    ["[1, 'a', [true]]", '[1 "a" [true]]'],
    ["[]", "[]"],
    ["[1, 2,]", "[1 2]"],
    ["lxd_installed", "lxd_installed"],
    ["facts.kernel.slab_present", "(. (. facts kernel) slab_present)"],
    ["r.stdout", "(. r stdout)"],
    ["x['key']", '([] x "key")'],
    ["x[0]", "([] x 0)"],
    ["x[-1]", "([] x -1)"],
    ["x[i].y", "(. ([] x i) y)"],
    ["r.changed", "(. r changed)"],
    ["r.not", "(. r not)"],
    ["  a\n  and\tb  ", "(and a b)"],
  ])("%s", (source, expected) => {
    expect(shape(parseExpression(source).ast)).toBe(expected);
  });

  test("keeps its source", () => {
    expect(parseExpression(" a == 1 ").source).toBe(" a == 1 ");
  });
});

describe("parseExpression: precedence, lowest first: or, and, not, comparisons, tests, filters, unary minus", () => {
  test.each<[string, string]>([
    ["a or b and c", "(or a (and b c))"],
    ["a and b or c", "(or (and a b) c)"],
    ["(a or b) and c", "(and (or a b) c)"],
    ["a or b or c", "(or a b c)"],
    ["a and b and c", "(and a b c)"],
    ["not a and b", "(and (not a) b)"],
    ["not a == b", "(not (a == b))"],
    ["not not a", "(not (not a))"],
    ["not x is defined", "(not (is x defined))"],
    ["x is not defined", "(is not x defined)"],
    ["x not in y", "(x not in y)"],
    ["not x in y", "(not (x in y))"],
    ["a < b <= c", "(a < b <= c)"],
    ["a == b != c", "(a == b != c)"],
    ["a == b is defined", "(a == (is b defined))"],
    ["x | length > 2", "((| x length) > 2)"],
    ["x | length is number", "(is (| x length) number)"],
    ["x | default(1, true) | int", '(| (| x default 1 true) int)'],
    ["x | d('a')", '(| x d "a")'],
    ["x | length()", "(| x length)"],
    ["-x | int", "(| (- x) int)"],
    ["-x.y", "(- (. x y))"],
    ["- -3", "3"],
    ["-(3)", "-3"],
    ["--x", "(- (- x))"],
    ["a.b[0] | length > 1 and not c", "(and ((| ([] (. a b) 0) length) > 1) (not c))"],
    ["1 in [1] == true", "(1 in [1] == true)"],
    ["(x)", "x"],
    ["((x | first)).y", "(. (| x first) y)"],
    ["x is defined is true", "(is (is x defined) true)"],
  ])("%s", (source, expected) => {
    expect(shape(parseExpression(source).ast)).toBe(expected);
  });

  test("nodes carry the column errors point at", () => {
    const ast = parseExpression("facts.kernel.slab").ast;
    expect(ast).toMatchObject({ type: "attribute", column: 14, object: { type: "attribute", column: 7, object: { type: "name", column: 1 } } });
    expect(parseExpression("a  < b").ast).toMatchObject({ type: "compare", rest: [{ operator: "<", column: 4 }] });
    expect(parseExpression("x | lower").ast).toMatchObject({ type: "filter", column: 5 });
    expect(parseExpression("x is not none").ast).toMatchObject({ type: "test", column: 10, negated: true });
    expect(parseExpression("x[0]").ast).toMatchObject({ type: "index", column: 2 });
  });
});

describe("parseExpression: syntax errors name the column and say how to fix it", () => {
  test.each<[string, string, number, string]>([
    // source, message, column, part of the hint
    ["a && b", "unexpected `&&`", 3, "use `and` instead of &&"],
    ["a & b", "unexpected `&`", 3, "use `and` instead of &"],
    ["a || b", "unexpected `||`", 3, "use `or` instead of ||"],
    ["!a", "unexpected `!`", 1, "use `not` instead of !"],
    ["a = 1", "unexpected `=`", 3, "use == to compare"],
    ["a === 1", "unexpected `===`", 3, "use == to compare"],
    ["a !== 1", "unexpected `!==`", 3, "use != to compare"],
    ["{{ a }}", "`{{` inside a condition", 1, "write `x` instead of `{{ x }}`"],
    ["a == {{ b }}", "`{{` inside a condition", 6, "write `x` instead of `{{ x }}`"],
    ["{'a': 1}", "unexpected `{`", 1, "mapping literals are not supported"],
    ["x | lenght", "unknown filter `lenght`", 5, "did you mean `length`?"],
    ["x | defualt(1)", "unknown filter `defualt`", 5, "did you mean `default`?"],
    ["x | regex_search('a')", "unknown filter `regex_search`", 5, "known filters: length, count, int, float, bool, string, lower, upper, trim, default, d, first, last"],
    ["x is definde", "unknown test `definde`", 6, "did you mean `defined`?"],
    ["r is succeded", "unknown test `succeded`", 6, "did you mean `succeeded`?"],
    ["x is match('a')", "unknown test `match`", 6, "known tests:"],
    ["x is defined(1)", "the `defined` test takes no arguments", 13, "write `x is defined`"],
    ["x | default(1, 2, 3)", "filter `default` takes 0 to 2 arguments, got 3", 5, "x | default(value)"],
    ["x | lower(1)", "filter `lower` takes no arguments, got 1", 5, "write `x | lower`"],
    ["", "empty expression", 1, "write a condition"],
    ["  \n ", "empty expression", 5, "write a condition"],
    ["a b", "unexpected `b` after a complete expression", 3, "join conditions with `and` or `or`"],
    ["a == 1 b == 2", "unexpected `b` after a complete expression", 8, "join conditions with `and` or `or`"],
    ["a 'x'", "unexpected string 'x' after a complete expression", 3, "join conditions"],
    ["a not b", "unexpected `not` after a complete expression", 3, "`x not in y`"],
    ["'a' if b else 'c'", "unexpected `if` after a complete expression", 5, "conditional expressions"],
    ["(a", "expected `)`, found end of expression", 3, "close the `(` opened at column 1"],
    ["(a b)", "expected `)`, found `b`", 4, "close the `(` opened at column 1"],
    ["[1, 2", "expected `]` or `,`, found end of expression", 6, "close the `[` opened at column 1"],
    ["[1 2]", "expected `]` or `,`, found number 2", 4, "close the `[` opened at column 1"],
    ["x | default(1 2)", "expected `)` or `,`, found number 2", 15, "close the `(` opened at column 12"],
    ["x[0", "expected `]`, found end of expression", 4, "close the `[` opened at column 2"],
    ["a)", "unmatched `)`", 2, "add the matching `(`"],
    ["a]", "unmatched `]`", 2, "add the matching `[`"],
    ["a ==", "unexpected end of expression after `==`", 5, "`==` needs a value after it"],
    ["a and", "unexpected end of expression after `and`", 6, "`and` needs a value after it"],
    ["not", "unexpected end of expression after `not`", 4, "`not` needs a value after it"],
    ["and a", "expected a value, found `and`", 1, "`and` is an operator"],
    ["a == in", "expected a value, found `in`", 6, "`in` is an operator"],
    ["a == not b", "expected a value, found `not`", 6, "`not` is an operator"],
    [")", "expected a value, found `)`", 1, "a value is a name"],
    ["x |", "expected a filter name after `|`, found end of expression", 4, "known filters:"],
    ["x | 1", "expected a filter name after `|`, found number 1", 5, "known filters:"],
    ["x is", "expected a test name after `is`, found end of expression", 5, "known tests:"],
    ["x is not 'a'", "expected a test name after `is not`, found string 'a'", 10, "known tests:"],
    ["x.", "expected an attribute name after `.`, found end of expression", 2, "write an attribute name after the dot"],
    ["x.0", "expected an attribute name after `.`, found number 0", 3, "use an index for list items: x[0]"],
    ["x[]", "empty index `[]`", 3, "x['key'] or x[0]"],
    ["x[1:2]", "unexpected `:`", 4, "slices"],
    ["'abc", "unterminated string", 1, "close the string with '"],
    ['a == "abc', "unterminated string", 6, 'close the string with "'],
    ["'a\\", "unterminated string", 1, "close the string with '"],
    ["'\\x4'", "bad escape `\\x4'` in a string", 2, "\\x needs exactly 2 hex digits"],
    ["'\\U00110000'", "bad escape `\\U00110000` in a string", 2, "at most 0010FFFF"],
    ["1abc", "malformed number `1abc`", 1, "names cannot start with a digit"],
    ["1.2.3", "malformed number `1.2.3`", 1, "numbers are written like"],
    ["1e", "malformed number `1e`", 1, "numbers are written like"],
    ["x + 1", "unexpected `+`", 3, "arithmetic and string concatenation are not supported"],
    ["x ~ 'a'", "unexpected `~`", 3, "arithmetic and string concatenation are not supported"],
    ["x - 1", "unexpected `-` after a complete expression", 3, "arithmetic"],
    ["a ? b : c", "unexpected `?`", 3, "no ?: operator"],
    ["a @ b", 'unexpected character "@"', 3, "expressions use names"],
    ["a é b", 'unexpected character "é"', 3, "expressions use names"],
    ["lookup('env', 'HOME')", "calls are not supported in expressions", 7, "function calls (lookup, query, ...) are not supported"],
    ["r.stdout.startswith('a')", "calls are not supported in expressions", 20, "method calls are not supported"],
  ])("%j", (source, message, column, hint) => {
    const error = syntaxErrorOf(source);
    expect(error.message).toBe(message);
    expect(error.column).toBe(column);
    expect(error.hint).toContain(hint);
    expect(error.code).toBe("EXPRESSION_SYNTAX");
    expect(error.category).toBe("parse");
    expect(error.source).toBe(source);
  });

  test("the first problem from the left is reported", () => {
    expect(syntaxErrorOf("a b && c").message).toBe("unexpected `b` after a complete expression");
    expect(syntaxErrorOf("a && b c").message).toBe("unexpected `&&`");
  });

  test("an ExpressionError is a FleetError; describe() shows the expression with a caret under the column", () => {
    const error = syntaxErrorOf("x and y && z");
    expect(error).toBeInstanceOf(FleetError);
    expect(error.name).toBe("ExpressionError");
    expect(error.describe()).toBe(["unexpected `&&` [EXPRESSION_SYNTAX]", "  x and y && z", "          ^", "  hint: use `and` instead of &&"].join("\n"));
  });
});

describe("parseExpression: limits against pathological input", () => {
  test(`sources longer than ${MAX_SOURCE_LENGTH} characters are refused`, () => {
    expect(() => parseExpression("a".repeat(MAX_SOURCE_LENGTH))).not.toThrow();
    const error = syntaxErrorOf("a".repeat(MAX_SOURCE_LENGTH + 1));
    expect(error.message).toBe("expression is longer than 4096 characters");
    expect(error.column).toBe(4097);
    expect(error.hint).toContain("accept a list");
  });

  test("nesting up to 64 levels parses", () => {
    expect(shape(parseExpression(`${"(".repeat(63)}x${")".repeat(63)}`).ast)).toBe("x");
    expect(() => parseExpression(`${"not ".repeat(60)}x`)).not.toThrow();
    expect(() => parseExpression(`x${".a".repeat(60)}`)).not.toThrow();
  });

  test.each<[string, string]>([
    ["parentheses", `${"(".repeat(65)}x${")".repeat(65)}`],
    ["4000 open parentheses", "(".repeat(4000)],
    ["list brackets", `${"[".repeat(100)}${"]".repeat(100)}`],
    ["index brackets", `x${"[x".repeat(100)}${"]".repeat(100)}`],
    ["not", `${"not ".repeat(100)}x`],
    ["unary minus", `${"-".repeat(2000)}x`],
    ["attribute chain", `x${".a".repeat(1000)}`],
    ["filter chain", `x${" | lower".repeat(100)}`],
    ["test chain", `x${" is true".repeat(100)}`],
    ["filter arguments", `${"x | default(".repeat(100)}1${")".repeat(100)}`],
  ])("deeper than 64 levels is an error, not a stack overflow: %s", (_name, source) => {
    const error = syntaxErrorOf(source);
    expect(error.message).toBe("expression is nested more than 64 levels deep");
    expect(error.hint).toContain("split it into several conditions");
  });

  test("long flat chains of and/or and comparisons are not deep", () => {
    expect(parseExpression(Array.from({ length: 500 }, (_, index) => `a${index}`).join(" or ")).ast).toMatchObject({ type: "logical", operator: "or" });
    expect(parseExpression(Array.from({ length: 300 }, () => "a").join(" == ")).ast).toMatchObject({ type: "compare" });
  });
});

describe("referencedNames", () => {
  test.each<[string, string[]]>([
    ["facts.kernel.slab_present and r.rc == 0", ["facts", "r"]],
    ["x is defined and x | default(y) in [z, x]", ["x", "y", "z"]],
    ["items[idx].name", ["items", "idx"]],
    ["r is changed or not (r2 is failed)", ["r", "r2"]],
    ["true and none or 'text' in ['a']", []],
    ["-n < 0", ["n"]],
  ])("%s", (source, names) => {
    expect(referencedNames(parseExpression(source))).toEqual(names);
  });
});

describe("no dynamic code", () => {
  const directory = join(import.meta.dirname, "../../../../src/playbook/expression");
  test.each(readdirSync(directory).filter((file) => file.endsWith(".ts")))("%s uses no eval, Function or dynamic import", (file) => {
    const code = readFileSync(join(directory, file), "utf8")
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/^\s*\/\/.*$/gm, "");
    expect(code).not.toMatch(/\beval\b|\bFunction\s*\(|new\s+Function\b|\bimport\s*\(|\brequire\s*\(|\bvm\b/);
  });
});
