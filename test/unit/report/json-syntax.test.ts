import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { InputFileError } from "../../../src/errors.js";
import { parseReport } from "../../../src/report/load-report.js";
import { jsonSyntaxErrorOffset } from "../../../src/report/json-syntax.js";
import { diffReports, renderDiffTable } from "../../../src/report/diff.js";
import { mdBlock, mdCode } from "../../../src/report/render-common-markdown.js";
import { syntheticReport } from "../../support/synthetic-report.js";

describe("jsonSyntaxErrorOffset: where JSON.parse stopped", () => {
  test.each([
    ['{"a": p}', 6],
    ["[1,]", 3],
    ['{"a":1,}', 7],
    ['{"a" 1}', 5],
    ["[1 2]", 3],
    ['"abc', 4],
    ['{"a": "\u0001"}', 7],
    ['"\\x"', 1],
    ["01", 1],
    ["tru", 3],
    ["nulL", 3],
    ["-", 0],
    ['{"a":1}x', 7],
    ["", 0],
    ["{", 1],
  ])("%j at %i", (text, offset) => {
    expect(jsonSyntaxErrorOffset(text)).toBe(offset);
  });

  test("nothing for JSON, nested to any depth", () => {
    expect(jsonSyntaxErrorOffset(' {"a": [1, -2.5e3, true, false, null, "x\\u00e9\\n"], "b": {}} ')).toBeUndefined();
    expect(jsonSyntaxErrorOffset(`${"[".repeat(200_000)}${"]".repeat(200_000)}`)).toBeUndefined();
  });

  test("property: undefined exactly when JSON.parse accepts the text", () => {
    const nearJson = fc.oneof(
      fc.json(),
      fc.tuple(fc.json(), fc.nat(), fc.constantFrom("", ",", "}", "]", "{", "[", ":", '"', "x", "\\", " ", "\u0000")).map(([text, at, insert]) => text.slice(0, at % (text.length + 1)) + insert + text.slice(at % (text.length + 1))),
    );
    fc.assert(
      fc.property(nearJson, (text) => {
        let valid = true;
        try {
          JSON.parse(text);
        } catch {
          valid = false;
        }
        expect(jsonSyntaxErrorOffset(text) === undefined).toBe(valid);
      }),
      { numRuns: 2_000, seed: 20261203 },
    );
  });
});

test("a report with an unexpected token is located at it (V8 gives no position: it was the file alone)", () => {
  const text = '{\n  "schema": "fleet-report/v1",\n  "mode": audit\n}\n';
  try {
    parseReport(text, "r.json");
    throw new Error("parsed");
  } catch (error) {
    if (!(error instanceof InputFileError)) throw error;
    expect(error.problems.map((problem) => [problem.code, problem.location])).toEqual([["REPORT_JSON", { file: "r.json", line: 3, column: 11 }]]);
  }
});

describe("large reports: one push per row, never an argument list (RangeError: Maximum call stack size exceeded, exit 1)", () => {
  test("report diff of 200,000 newly failing results", () => {
    const before = syntheticReport(Array.from({ length: 2_000 }, () => Array<"pass">(100).fill("pass")));
    const after = syntheticReport(Array.from({ length: 2_000 }, () => Array<"fail">(100).fill("fail")));
    const table = renderDiffTable(diffReports(before, after));
    expect(table.split("\n").length).toBeGreaterThan(200_000);
  });

  test("a value with 200,000 runs of backticks in Markdown", () => {
    const value = "`a".repeat(200_000);
    expect(mdCode(value, { inTable: false }).startsWith("``")).toBe(true);
    expect(mdBlock(`${value}\n${value}`, "  ").startsWith("\n  ```")).toBe(true);
  });
});
