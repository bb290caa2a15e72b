import { describe, expect, test } from "vitest";
import { ShlexError, shlexSplit } from "../../../src/inventory/shlex.js";

// Expected words produced by Python's shlex.split(line, comments=True).
const cases: Array<[string, string[]]> = [
  ["h1 a=b#c d=e", ["h1", "a=b"]],
  ['h1 a="x y"#z', ["h1", "a=x y"]],
  ["h1 a='it''s'", ["h1", "a=its"]],
  ['h1 a="esc \\" q" b=\\x', ["h1", 'a=esc " q', "b=x"]],
  ["h1 #c", ["h1"]],
  ["h1 a=1 # c", ["h1", "a=1"]],
  ['h1 a="b\\\\c"', ["h1", "a=b\\c"]],
  ["h1 a='b\\c'", ["h1", "a=b\\c"]],
  ["h1 a=b\\ c", ["h1", "a=b c"]],
  ['h1 a=""', ["h1", "a="]],
  ["h1 a='' b", ["h1", "a=", "b"]],
  ["h1\ta=1", ["h1", "a=1"]],
  ['h1 a="\\n"', ["h1", "a=\\n"]],
];

describe("shlexSplit", () => {
  test.each(cases)("%j", (line, words) => {
    expect(shlexSplit(line)).toEqual(words);
  });

  test.each(['h1 a="unterminated', "h1 a=\\"])("rejects %j", (line) => {
    expect(() => shlexSplit(line)).toThrow(ShlexError);
  });
});
