import { describe, expect, it } from "vitest";
import type { TaskResult } from "../../../src/engine/results.js";
import { taskLine, unifiedDiff } from "../../../src/cli/run-output.js";

const base: TaskResult = { play: 0, task: 0, handler: false, name: "mode", module: "file", control: { id: "LXD-MU-03", title: "t", severity: "low", scope: "host" }, status: "changed", message: "mode 0755 → 0700", diff: { before: "a\nb\nc\n", after: "a\nB\nc\n" }, plan: { kind: "change", summary: "s", diff: null, commands: [{ script: "chmod 0700 /x", description: "set the mode of /x to 0700" }], effects: [] }, output: null, delegatedTo: null, verdict: null, ignored: false };

describe("run output", () => {
  it("one line per change, 'would change' in check mode; ok and skipped only with -v", () => {
    expect(taskLine("tb1", base, { check: false, verbose: false, diff: false })).toBe("tb1: changed: mode [LXD-MU-03] — mode 0755 → 0700\n");
    expect(taskLine("tb1", base, { check: true, verbose: false, diff: false })).toBe("tb1: would change: mode [LXD-MU-03] — mode 0755 → 0700\n");
    expect(taskLine("tb1", { ...base, status: "ok" }, { check: false, verbose: false, diff: false })).toBe("");
    expect(taskLine("tb1", { ...base, delegatedTo: "tbc1" }, { check: false, verbose: true, diff: false })).toBe("tb1: changed: mode [LXD-MU-03] (run on tbc1) — mode 0755 → 0700\n    $ set the mode of /x to 0700\n");
  });

  it("--diff shows the changed lines only", () => {
    expect(taskLine("tb1", base, { check: true, verbose: false, diff: true })).toContain("    @@ line 2 @@\n    - b\n    + B\n");
    expect(unifiedDiff("", "x\n")).toBe("@@ line 1 @@\n+ x");
    expect(unifiedDiff("hidden", "hidden")).toBe("hidden");
  });
});
