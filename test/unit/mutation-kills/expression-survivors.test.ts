import { describe, expect, test } from "vitest";
import { ExpressionError, evaluate, parseExpression, scopeOf } from "../../../src/playbook/expression/index.js";
import { caughtFleetError } from "../../support/caught.js";

/**
 * Behaviours of the expression values, filters and words that the mutation run found unpinned.
 * Where a value is Jinja2's, it was checked against Jinja2 3.1 (python3 -c 'import jinja2').
 */

function run(source: string, variables: Readonly<Record<string, unknown>> = {}): unknown {
  return evaluate(parseExpression(source), scopeOf(variables));
}

/** The ExpressionError `action` throws (caughtFleetError fails the test on anything else). */
function errorOf(action: () => unknown): ExpressionError {
  const error = caughtFleetError(action);
  expect(error).toBeInstanceOf(ExpressionError);
  return error as ExpressionError;
}

function cyclicList(): unknown[] {
  const list: unknown[] = [];
  list.push(list);
  return list;
}

function cyclicMapping(): Record<string, unknown> {
  const mapping: Record<string, unknown> = {};
  mapping["self"] = mapping;
  return mapping;
}

describe("typeName: what messages call a value's type", () => {
  test("a mapping is called a mapping in a comparison error", () => {
    expect(errorOf(() => run("m < 1", { m: { a: 1 } })).message).toBe("cannot compare mapping < number");
  });

  test("an opaque scope value (not plain data) is called an object", () => {
    expect(errorOf(() => run("d | length", { d: new Date(0) })).message).toBe("`length` needs a string, list or mapping, got object");
  });

  test("a function is an opaque object, not a mapping, even with a null or Object prototype", () => {
    const bare = Object.setPrototypeOf(() => 1, null) as unknown;
    const objectLike = Object.setPrototypeOf(() => 1, Object.prototype) as unknown;
    expect(errorOf(() => run("f | length", { f: bare })).message).toBe("`length` needs a string, list or mapping, got object");
    expect(errorOf(() => run("f | length", { f: objectLike })).message).toBe("`length` needs a string, list or mapping, got object");
    expect(run("f is mapping", { f: objectLike })).toBe(false);
  });
});

describe("mapping keys: integers index mappings by their decimal text, other numbers do not", () => {
  test("m[1] finds the key '1' (a YAML `1:` key)", () => {
    expect(run("m[1]", { m: { "1": "one" } })).toBe("one");
  });

  test("1 in m looks for the key '1'", () => {
    expect(run("1 in m", { m: { "1": "one" } })).toBe(true);
  });

  test("m[1.5] is undefined even when the mapping has a key '1.5'", () => {
    expect(run("m[1.5] | default('none')", { m: { "1.5": "x" } })).toBe("none");
    expect(errorOf(() => run("m[1.5]", { m: { "1.5": "x" } })).hint).toContain("m is a mapping, whose keys are strings, not number");
  });
});

describe("string ordering by code point", () => {
  test.each<[string, boolean]>([
    // Jinja2: 'a' < 'ab' is True, 'a' >= 'a' is True, 'b' < 'a' is False, 'ab' > 'a' is True
    ["'a' < 'ab'", true],
    ["'ab' < 'a'", false],
    ["'ab' > 'a'", true],
    ["'a' >= 'a'", true],
    ["'a' > 'a'", false],
    ["'b' < 'a'", false],
    ["'a' < 'b'", true],
  ])("%s is %s as in Jinja2", (source, expected) => {
    expect(run(source)).toBe(expected);
  });
});

describe("structural equality", () => {
  test("nested lists that differ inside are not equal", () => {
    expect(run("[[1]] == [[2]]")).toBe(false);
    expect(run("[[1]] == [[1]]")).toBe(true);
  });

  test("a list is never equal to a mapping, even one with a `length` key matching the list's length", () => {
    // Jinja2: [] == {'length': 0} is False, {'length': 1} == [1] is False
    expect(run("[] == m", { m: { length: 0 } })).toBe(false);
    expect(run("m == [1]", { m: { length: 1 } })).toBe(false);
  });

  test("cyclic values compare without looping, and a cycle on one side only does not make them equal", () => {
    expect(run("a == b", { a: [[1]], b: cyclicList() })).toBe(false);
    expect(run("a == b", { a: cyclicList(), b: [[1]] })).toBe(false);
    expect(run("a == b", { a: cyclicList(), b: cyclicList() })).toBe(true);
  });

  test("cyclic mappings compare without looping", () => {
    expect(run("a == b", { a: cyclicMapping(), b: cyclicMapping() })).toBe(true);
  });
});

describe("Python repr (the string filter on lists)", () => {
  test("strings inside a list are quoted and escaped as Python's repr does", () => {
    const texts = ["a\\b", "it's", "a'b\"c", "x\ny", "x\ry", "x\ty", "x\u0001y", "x\u007fy", "a b"];
    // Jinja2: ['a\\b', "it's", 'a\'b"c', 'x\ny', 'x\ry', 'x\ty', 'x\x01y', 'x\x7fy', 'a b'] | string
    expect(run("texts | string", { texts })).toBe(`['a\\\\b', "it's", 'a\\'b"c', 'x\\ny', 'x\\ry', 'x\\ty', 'x\\x01y', 'x\\x7fy', 'a b']`);
  });

  test("an undefined item of a list shows as None", () => {
    expect(run("items | string", { items: [1, undefined] })).toBe("[1, None]");
  });

  test("an opaque scope value shows as <object>", () => {
    expect(run("d | string", { d: new Date(0) })).toBe("<object>");
  });

  test("a mapping that contains itself shows the inner one as {...}", () => {
    expect(run("m | string", { m: cyclicMapping() })).toBe("{'self': {...}}");
  });

  test.each<[string, string]>([
    // all Jinja2's
    ["'nan' | float | string", "nan"],
    ["'-inf' | float | string", "-inf"],
    ["'inf' | float | string", "inf"],
    ["0.00001 | string", "1e-05"],
    ["0.0000015 | string", "1.5e-06"],
    ["0.0001 | string", "0.0001"],
    ["-0.00001 | string", "-1e-05"],
    ["-0.0 | string", "-0.0"],
    ["0 | string", "0"],
    ["1000000000000000000000 | string", "1000000000000000000000"],
    ["10000000000000000 | string", "10000000000000000"],
    ["42 | string", "42"],
    ["1.5 | string", "1.5"],
  ])("%s is %s", (source, expected) => {
    expect(run(source)).toBe(expected);
  });
});

describe("'-0' | int is 0, as in Python (found by the mutation run, fixed: it was -0, shown as -0.0)", () => {
  test("'-0' | int | string", () => {
    expect(run("'-0' | int | string")).toBe("0");
    expect(Object.is(run("' -0 ' | int"), 0)).toBe(true);
  });
});

describe("float and int of text, as Python's float() and int()", () => {
  test.each<[string, number]>([
    // all Jinja2's (0.0 where Python's float() raises ValueError)
    ["'1_000.5' | float", 1000.5],
    ["'12.5' | float", 12.5],
    ["'1.25' | float", 1.25],
    ["'1.250_000' | float", 1.25],
    ["'12.' | float", 12],
    ["'1_000.' | float", 1000],
    ["'1e+5' | float", 100000],
    ["'1e10' | float", 1e10],
    ["'1e1_00' | float", 1e100],
    ["'x1.5' | float", 0],
    ["'1.5x' | float", 0],
    ["'1_x.5' | float", 0],
    ["'1.5_x' | float", 0],
    ["'x.' | float", 0],
    ["'1_x.' | float", 0],
    ["'1e1_x' | float", 0],
    ["'xinf' | float", 0],
    ["'infx' | float", 0],
    ["'x12' | int", 0],
    ["'1_x' | int", 0],
    ["'-0.5' | int", 0],
  ])("%s is %s", (source, expected) => {
    expect(run(source)).toBe(expected);
  });

  test("'-inf' | float is minus infinity, '+inf' | float is infinity", () => {
    expect(run("'-inf' | float")).toBe(-Infinity);
    expect(run("'+inf' | float")).toBe(Infinity);
  });

  test("'nan' | float is not a number (not infinity)", () => {
    expect(run("'nan' | float")).toBeNaN();
    expect(run("'NaN' | float")).toBeNaN();
  });

  test("'-0.5' | int is 0, shown as 0 as Jinja2 does", () => {
    expect(run("'-0.5' | int | string")).toBe("0");
  });

  test("an integer text too long for a float still converts (Jinja2: a huge int), unpadded or padded", () => {
    const digits = "1".repeat(400);
    // Jinja2: ('1' * 400) | int > 1e300 is True
    expect(run("t | int > 1e300", { t: digits })).toBe(true);
    expect(run("t | int > 1e300", { t: ` ${digits} ` })).toBe(true);
    expect(run("t | int > 1e300", { t: `+${digits}` })).toBe(true);
    expect(run("t | int > 1e300", { t: `1_${digits}` })).toBe(true);
  });
});

describe("default(value, boolean)", () => {
  test("with boolean false a falsy defined input is kept", () => {
    // Jinja2: '' | default('x', false) is ''
    expect(run("'' | default('x', false)")).toBe("");
    expect(run("'' | default('x', true)")).toBe("x");
  });
});

describe("last of an empty list", () => {
  test("the error says the input is empty", () => {
    const error = errorOf(() => run("empty_list | last", { empty_list: [] }));
    expect(error.message).toBe("undefined value: empty_list | last");
    expect(error.hint).toContain("empty_list is empty; guard with `empty_list | last is defined`");
  });
});

describe("keywords that cannot start a value", () => {
  test.each(["or", "is"])("`%s` alone is a syntax error, not a variable", (word) => {
    const error = errorOf(() => parseExpression(word));
    expect(error.code).toBe("EXPRESSION_SYNTAX");
    expect(error.message).toBe(`expected a value, found \`${word}\``);
  });
});

describe("paths in messages", () => {
  test("a filter with arguments is named with (…)", () => {
    const error = errorOf(() => run("(empty_list | default([])) | first", { empty_list: [] }));
    expect(error.message).toBe("undefined value: empty_list | default(…) | first");
  });

  test("a computed value that is not a path is named (…)", () => {
    expect(errorOf(() => run("[1][5]")).message).toBe("undefined value: (…)[5]");
  });
});

describe("describe() of an expression with tabs and newlines", () => {
  test("they are shown as spaces, so the caret stays under its column", () => {
    const error = errorOf(() => run("\tnope"));
    expect(error.describe().split("\n").slice(0, 3)).toEqual(["undefined variable: nope [EXPRESSION_EVAL]", "   nope", "   ^"]);
  });
});
