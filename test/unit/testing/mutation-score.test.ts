import { describe, expect, it } from "vitest";
import { originalOf, parseEquivalentList, scoreReport, scoreTable } from "../../mutation/score.js";

const source = "const a = 1;\nif (x || y) return cache;\n";
const mutant = (status: string, mutatorName: string, line: number, column: number, endColumn: number, replacement: string) => ({
  status,
  mutatorName,
  replacement,
  location: { start: { line, column }, end: { line, column: endColumn } },
});
const report = {
  files: {
    "src/a.ts": {
      source,
      mutants: [
        mutant("Killed", "BooleanLiteral", 1, 11, 12, "0"),
        mutant("Survived", "LogicalOperator", 2, 5, 11, "x && y"),
        mutant("Survived", "ConditionalExpression", 2, 5, 11, "true"),
        mutant("NoCoverage", "StringLiteral", 2, 20, 25, '""'),
        mutant("Timeout", "BlockStatement", 2, 13, 25, "{}"),
        mutant("CompileError", "BlockStatement", 1, 1, 5, "{}"),
      ],
    },
  },
};

describe("test/mutation/score.ts", () => {
  it("reads a mutant's original code from its location", () => {
    expect(originalOf(source, report.files["src/a.ts"].mutants[1] as never)).toBe("x || y");
  });

  it("parses rows with escaped pipes and leaves the line out of the match", () => {
    const list = parseEquivalentList("| file | line |\n|---|\n| src/a.ts | 99 | LogicalOperator | `x \\|\\| y` | `x && y` | equivalent: both are always true here |\n");
    expect(list).toEqual([{ file: "src/a.ts", line: 99, mutator: "LogicalOperator", original: "x || y", replacement: "x && y", reason: "equivalent: both are always true here" }]);
    const { files, total, stale } = scoreReport(report, list);
    expect(files[0]).toMatchObject({ mutants: 5, killed: 2, survived: 1, noCoverage: 1, equivalent: 1, raw: 40, honest: 50 });
    expect(total).toMatchObject({ mutants: 5, killed: 2, raw: 40, honest: 50 });
    expect(stale).toEqual([]);
    expect(scoreTable(files, total)).toContain("| **all mutated files** | 5 | 2 | 1 | 1 | 1 | 40.0 % | 50.0 % |");
  });

  it("reports a row that matches no surviving mutant as stale, and refuses a row without a reason", () => {
    const list = parseEquivalentList("| src/a.ts | 2 | LogicalOperator | `x \\|\\| y` | `x ?? y` | equivalent: ? |\n");
    expect(scoreReport(report, list).stale).toHaveLength(1);
    expect(() => parseEquivalentList("| src/a.ts | 2 | LogicalOperator | `x` | `y` |  |\n")).toThrow(/equivalent-mutants\.md:1: expected/);
  });
});
