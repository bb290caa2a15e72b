import { describe, expect, test } from "vitest";
import { ExpressionError, evaluate, evaluateCondition, parseExpression, scopeOf, type ExpressionScope } from "../../../../src/playbook/expression/index.js";

const variables = {
  facts: { kernel: { slab_present: true, version: "6.8.0" }, cpus: 4 },
  r: { rc: 0, stdout: "Hello World\n", stdout_lines: ["Hello World"], changed: true, failed: false },
  skipped_result: { skipped: true, changed: false },
  failed_result: { failed: true, rc: 1 },
  items: [1, 2, 3],
  empty_list: [],
  empty_map: {},
  empty: "",
  zero: 0,
  nothing: null,
  m: { a: 1, b: [1, 2] },
  m2: { b: [1, 2], a: 1 },
  idx: 1,
  unset_key: { present: 1, gone: undefined },
  present_only: { present: 1 },
};
const scope = scopeOf(variables);

function run(source: string, within: ExpressionScope = scope): unknown {
  return evaluate(parseExpression(source), within);
}

function evaluationErrorOf(source: string): ExpressionError {
  try {
    run(source);
  } catch (error) {
    if (error instanceof ExpressionError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(source)} to fail`);
}

type Case = [string, unknown];

describe("values", () => {
  test.each<Case>([
    ["42", 42],
    ["-7", -7],
    ["1.5", 1.5],
    ["'a'", "a"],
    ["'\\x41\\u00e9'", "Aé"],
    ["[1, 'a', [none]]", [1, "a", [null]]],
    ["[items[0], -idx]", [1, -1]],
    ["facts.kernel.slab_present", true],
    ["facts['kernel']['version']", "6.8.0"],
    ["facts.kernel['version']", "6.8.0"],
    ["r.stdout_lines[0]", "Hello World"],
    ["items[0]", 1],
    ["items[-1]", 3],
    ["items[-3]", 1],
    ["items[idx]", 2],
    ["m.b[1]", 2],
    ["m[idx | string] | default('no key 1')", "no key 1"],
    ["'abc'[1]", "b"],
    ["'abc'[-1]", "c"],
    ["[10, 20][1]", 20],
    ["facts", variables.facts],
  ])("%s", (source, expected) => {
    expect(run(source)).toEqual(expected);
  });
});

describe("operators", () => {
  test.each<Case>([
    ["1 == 1", true],
    ["1 == 1.0", true],
    ["'1' == 1", false],
    ["true == 1", false],
    ["none == null", true],
    ["none == 0", false],
    ["'' == none", false],
    ["[1, [2]] == [1, [2]]", true],
    ["[1, 2] == [2, 1]", false],
    ["items == [1, 2, 3]", true],
    ["m == m2", true],
    ["m == empty_map", false],
    ["unset_key == present_only", true],
    ["1 != 2", true],
    ["'a' != 'a'", false],
    ["1 < 2", true],
    ["2 <= 2", true],
    ["3 > 2", true],
    ["2 >= 3", false],
    ["-1 < 0", true],
    ["'a' < 'b'", true],
    ["'B' < 'a'", true],
    ["'abc' >= 'abd'", false],
    ["'\\uffff' < '\\U0001F600'", true],
    ["1 < 2 < 3", true],
    ["3 > 2 > 2", false],
    ["1 < 2 == true", false],
    ["1 in [1] == true", false],
    ["'ell' in 'hello'", true],
    ["'' in 'x'", true],
    ["'World' in r.stdout", true],
    ["2 in items", true],
    ["4 in items", false],
    ["4 not in items", true],
    ["[1] in [[1], 2]", true],
    ["'1' in items", false],
    ["'a' in m", true],
    ["'z' in m", false],
    ["'z' not in m", true],
    ["1 in m", false],
    ["'gone' in unset_key", false],
    ["true and true", true],
    ["true and false", false],
    ["'a' and 1", true],
    ["0 or ''", false],
    ["'a' or 0", true],
    ["none or [] or empty_map", false],
    ["not []", true],
    ["not 'x'", false],
    ["not none", true],
    ["not zero", true],
    ["not empty_map", true],
    ["not not 2", true],
    ["-(3)", -3],
    ["- -3", 3],
    ["-facts.cpus", -4],
  ])("%s", (source, expected) => {
    expect(run(source)).toEqual(expected);
  });

  test.each<Case>([
    ["false and nope", false],
    ["true or nope", true],
    ["nope is defined and nope > 1", false],
    ["nope is undefined or nope.x", true],
    ["2 < 1 < nope", false],
    ["items | length > 5 and items[5] == 1", false],
  ])("short-circuit: %s", (source, expected) => {
    expect(run(source)).toBe(expected);
  });

  test.each<Case>([
    ["not 1 == 2", true],
    ["not nope is defined", true],
    ["true or false and false", true],
    ["(true or false) and false", false],
    ["not true or true", true],
    ["not (true or true)", false],
    ["1 == 1 is number", false], // tests bind tighter: 1 == (1 is number)
    ["items | length is number", true],
    ["-2 | string", "-2"],
    ["-idx | string", "-1"],
    ["items | length > 2", true],
    ["'a' in 'abc' and 'x' not in 'abc'", true],
  ])("precedence: %s", (source, expected) => {
    expect(run(source)).toEqual(expected);
  });
});

describe("filters", () => {
  test.each<Case>([
    ["'héllo' | length", 5],
    ["'😀' | length", 1],
    ["items | length", 3],
    ["items | count", 3],
    ["m | length", 2],
    ["empty_list | length", 0],
    ["unset_key | length", 1],
    ["'42' | int", 42],
    ["' 7 ' | int", 7],
    ["'-3' | int", -3],
    ["'3.7' | int", 3],
    ["'-3.7' | int", -3],
    ["'1_000' | int", 1000],
    ["'1e3' | int", 1000],
    ["'abc' | int", 0],
    ["'' | int", 0],
    ["3.9 | int", 3],
    ["-3.9 | int", -3],
    ["true | int", 1],
    ["none | int", 0],
    ["items | int", 0],
    ["'3.5' | float", 3.5],
    ["' -2.5e1 ' | float", -25],
    ["'.5' | float", 0.5],
    ["'x' | float", 0],
    ["2 | float", 2],
    ["false | float", 0],
    ["none | float", 0],
    ["'yes' | bool", true],
    ["'On' | bool", true],
    ["' TRUE ' | bool", true],
    ["'1' | bool", true],
    ["'y' | bool", true],
    ["'no' | bool", false],
    ["'off' | bool", false],
    ["'' | bool", false],
    ["'2' | bool", false],
    ["1 | bool", true],
    ["0 | bool", false],
    ["2 | bool", false],
    ["none | bool", false],
    ["true | bool", true],
    ["false | bool", false],
    ["[1] | bool", false],
    ["1 | string", "1"],
    ["1.5 | string", "1.5"],
    ["-0.5 | string", "-0.5"],
    ["'x' | string", "x"],
    ["none | string", "None"],
    ["true | string", "True"],
    ["[1, 'a', none, false] | string", "[1, 'a', None, False]"],
    ["m | string", "{'a': 1, 'b': [1, 2]}"],
    ["[\"it's\"] | string", `["it's"]`],
    ["'AbC' | lower", "abc"],
    ["'AbC' | upper", "ABC"],
    ["true | lower", "true"],
    ["'  x \\n\\t' | trim", "x"],
    ["nope | default(5)", 5],
    ["nope | d('y')", "y"],
    ["nope | default", ""],
    ["nothing | default(5)", null],
    ["'' | default('x')", ""],
    ["'' | default('x', true)", "x"],
    ["0 | default(7, true)", 7],
    ["3 | default(7, true)", 3],
    ["nope | default(other) | default(3)", 3],
    ["facts.nope.deeper | default(1)", 1],
    ["nope.a.b | default(1)", 1],
    ["items[10] | default(0)", 0],
    ["r.stdout.x | default('not a mapping')", "not a mapping"],
    ["unset_key.gone | default('gone')", "gone"],
    ["facts.cpus | default(1)", 4],
    ["items | first", 1],
    ["items | last", 3],
    ["'abc' | first", "a"],
    ["'abc' | last", "c"],
    ["m | first", "a"],
    ["m | last", "b"],
    ["empty_list | first | default('none')", "none"],
    ["'' | last | default('none')", "none"],
    ["r.stdout_lines | first | lower", "hello world"],
    ["r.stdout | trim | lower | length", 11],
  ])("%s", (source, expected) => {
    expect(run(source)).toEqual(expected);
  });
});

describe("tests", () => {
  test.each<Case>([
    ["facts is defined", true],
    ["nope is defined", false],
    ["nope is undefined", true],
    ["facts is undefined", false],
    ["nothing is defined", true],
    ["facts.kernel.x is defined", false],
    ["facts.kernel.version is defined", true],
    ["nope.a.b is not defined", true],
    ["r.stdout.x is defined", false],
    ["items[5] is defined", false],
    ["items[-4] is defined", false],
    ["items['a'] is defined", false],
    ["unset_key.gone is defined", false],
    ["empty_list | first is defined", false],
    ["facts is not undefined", true],
    ["nothing is none", true],
    ["0 is none", false],
    ["nothing is not none", false],
    ["true is true", true],
    ["1 is true", false],
    ["false is false", true],
    ["'' is false", false],
    ["r is changed", true],
    ["r is failed", false],
    ["r is succeeded", true],
    ["r is success", true],
    ["r is skipped", false],
    ["r is not skipped", true],
    ["skipped_result is skipped", true],
    ["skipped_result is changed", false],
    ["failed_result is failed", true],
    ["failed_result is succeeded", false],
    ["failed_result is not success", true],
    ["empty_map is changed", false],
    ["empty_map is succeeded", true],
    ["'x' is string", true],
    ["1 is string", false],
    ["1.5 is number", true],
    ["'1' is number", false],
    ["true is number", false],
    ["m is mapping", true],
    ["items is mapping", false],
    ["nothing is mapping", false],
    ["items is sequence", true],
    ["'x' is sequence", true],
    ["m is sequence", true],
    ["1 is sequence", false],
    ["nothing is sequence", false],
  ])("%s", (source, expected) => {
    expect(run(source)).toBe(expected);
  });
});

describe("evaluateCondition applies Python truthiness", () => {
  test.each<[string, boolean]>([
    ["''", false],
    ["'a'", true],
    ["'false'", true],
    ["0", false],
    ["0.0", false],
    ["-1", true],
    ["[]", false],
    ["[0]", true],
    ["empty_map", false],
    ["unset_key", true],
    ["m", true],
    ["none", false],
    ["r.rc", false],
    ["r.stdout", true],
    ["items | length", true],
    ["r is changed", true],
  ])("%s", (source, expected) => {
    expect(evaluateCondition(parseExpression(source), scope)).toBe(expected);
  });
});

describe("evaluation errors name the value, the column and a fix", () => {
  test.each<[string, string, number, string]>([
    ["nope", "undefined variable: nope", 1, "`nope` is not defined; define it in vars, or guard with `nope is defined`"],
    ["1 == nope", "undefined variable: nope", 6, "define it in vars, or guard with `nope is defined`"],
    ["nope.a == 1", "undefined variable: nope.a", 1, "`nope` is not defined; define it in vars, or guard with `nope.a is defined`"],
    ["facts.kernel.slabx", "undefined variable: facts.kernel.slabx", 14, "facts.kernel has no key 'slabx'; guard with `facts.kernel.slabx is defined` or give a fallback with `facts.kernel.slabx | default(...)`"],
    ["facts.kernel.slab_presnt", "undefined variable: facts.kernel.slab_presnt", 14, "facts.kernel has no key 'slab_presnt' (did you mean 'slab_present'?)"],
    ["facts['kernel'].x.y", "undefined variable: facts['kernel'].x.y", 17, "facts['kernel'] has no key 'x'"],
    ["items[5]", "undefined variable: items[5]", 6, "index 5 is out of range: items has 3 items"],
    ["items[idx] and items[-4]", "undefined variable: items[-4]", 21, "index -4 is out of range"],
    ["items['a']", "undefined variable: items['a']", 6, "a list index must be an integer, got string 'a'"],
    ["items.a", "undefined variable: items.a", 7, "items is a list, not a mapping (use items[0] for an item)"],
    ["r.stdout.x", "undefined variable: r.stdout.x", 10, "r.stdout is a string, not a mapping;"],
    ["nothing.x", "undefined variable: nothing.x", 9, "nothing is none, not a mapping"],
    ["m[none]", "undefined variable: m[None]", 2, "m is a mapping, whose keys are strings, not none"],
    ["unset_key.gone", "undefined variable: unset_key.gone", 11, "unset_key has no key 'gone'"],
    ["(items | first).x", "undefined value: (items | first).x", 17, "(items | first) is a number, not a mapping"],
    ["empty_list | first", "undefined value: empty_list | first", 14, "empty_list is empty; guard with `empty_list | first is defined`"],
    ["nope | lower", "undefined variable: nope", 1, "define it in vars"],
    ["nope is none", "undefined variable: nope", 1, "define it in vars"],
    ["items[nope] is defined", "undefined variable: nope", 7, "define it in vars"],
    ["nope | default(1, other)", "undefined variable: other", 19, "define it in vars"],
    ["1 < 'a'", "cannot compare number < string", 3, "convert the text first, e.g. `x | int < 5`"],
    ["r.stdout >= 2", "cannot compare string >= number", 10, "convert the text first"],
    ["none < 1", "cannot compare none < number", 6, "only two numbers or two strings can be ordered"],
    ["[1] < [2]", "cannot compare list < list", 5, "only two numbers or two strings"],
    ["true > false", "cannot compare boolean > boolean", 6, "only two numbers or two strings"],
    ["1 < 2 < 'x'", "cannot compare number < string", 7, "convert the text first"],
    ["1 in 'abc'", "`in` a string needs a string on the left, got number", 3, "convert it with `| string`"],
    ["1 not in 5", "`in` needs a string, list or mapping on the right, got number", 3, "guard with `x is sequence`"],
    ["'a' in nothing", "`in` needs a string, list or mapping on the right, got none", 5, "check the right-hand value"],
    ["-'a'", "cannot negate a string", 1, "convert text with `| int`"],
    ["-items", "cannot negate a list", 1, "numbers only"],
    ["5 | length", "`length` needs a string, list or mapping, got number", 5, "guard with `x is sequence`"],
    ["nothing | count", "`length` needs a string, list or mapping, got none", 11, "guard with"],
    ["5 | first", "`first` needs a list, string or mapping, got number", 5, "guard with"],
    ["true | last", "`last` needs a list, string or mapping, got boolean", 8, "guard with"],
    ["'inf' | int", "cannot convert inf to an integer", 9, "guard the value"],
    ["'x' is changed", "the `changed` test needs a registered result (a mapping), got string", 8, "`result is changed`"],
    ["items is failed", "the `failed` test needs a registered result (a mapping), got list", 10, "register:"],
    ["nothing is skipped", "the `skipped` test needs a registered result (a mapping), got none", 12, "register:"],
    ["1 is success", "the `succeeded` test needs a registered result (a mapping), got number", 6, "register:"],
  ])("%s", (source, message, column, hint) => {
    const error = evaluationErrorOf(source);
    expect(error.message).toBe(message);
    expect(error.column).toBe(column);
    expect(error.hint).toContain(hint);
    expect(error.code).toBe("EXPRESSION_EVAL");
    expect(error.category).toBe("runtime");
  });

  test("describe() points at the missing part", () => {
    expect(evaluationErrorOf("facts.kernel.slabx == 1").describe()).toBe(
      [
        "undefined variable: facts.kernel.slabx [EXPRESSION_EVAL]",
        "  facts.kernel.slabx == 1",
        "               ^",
        "  hint: facts.kernel has no key 'slabx'; guard with `facts.kernel.slabx is defined` or give a fallback with `facts.kernel.slabx | default(...)`",
      ].join("\n"),
    );
  });
});

describe("scope lookups that throw propagate unchanged", () => {
  class NotKnownYet extends Error {}
  const pending = new NotKnownYet("pending is not known yet");
  const throwing: ExpressionScope = {
    lookup(name) {
      if (name === "pending") throw pending;
      return scope.lookup(name);
    },
  };

  test.each([
    "pending",
    "pending is defined",
    "pending is undefined",
    "pending.x is defined",
    "pending | default(1)",
    "nope | default(pending)",
    "pending is none",
    "false or pending",
    "[pending]",
    "items[pending]",
    "not pending",
  ])("%s", (source) => {
    let thrown: unknown;
    try {
      run(source, throwing);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBe(pending);
  });

  test("a short-circuit that does not reach the name does not look it up", () => {
    expect(run("false and pending", throwing)).toBe(false);
    expect(run("facts is defined or pending", throwing)).toBe(true);
  });
});

describe("values other than plain data", () => {
  test("only own keys of plain mappings are attributes: no prototype, no methods", () => {
    for (const source of ["m.constructor", "m['__proto__']", "m.toString", "items.length", "r.stdout.length", "f.call", "d.getTime"]) {
      expect(run(`${source} is defined`, scopeOf({ ...variables, f: () => 1, d: new Date(0) }))).toBe(false);
    }
  });

  test("a mapping with a null prototype is a mapping", () => {
    const bare: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    bare["k"] = 1;
    expect(run("bare.k == 1 and bare is mapping", scopeOf({ bare }))).toBe(true);
  });

  test("other objects are opaque: truthy, equal only to themselves", () => {
    const when = new Date(0);
    const within = scopeOf({ when, other: new Date(0) });
    expect(run("when == when and when != other and when is not mapping", within)).toBe(true);
    expect(evaluateCondition(parseExpression("when"), within)).toBe(true);
  });

  test("cyclic values compare and print without looping", () => {
    const a: unknown[] = [1];
    a.push(a);
    const b: unknown[] = [1];
    b.push(b);
    const within = scopeOf({ a, b });
    expect(run("a == b", within)).toBe(true);
    expect(run("a | string", within)).toBe("[1, [...]]");
  });
});
