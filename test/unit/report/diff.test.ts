import { describe, expect, it } from "vitest";
import type { ControlStatus } from "../../../src/engine/results.js";
import { diffReports, hasRegressions, renderDiffMarkdown, renderDiffTable } from "../../../src/report/diff.js";
import type { FleetReport } from "../../../src/report/types.js";
import { syntheticReport } from "../../support/synthetic-report.js";

/** A report of named hosts; controls C-0.. as syntheticReport makes them (severity critical, high, medium, low...). */
function report(rows: Record<string, ControlStatus[]>, score = 50): FleetReport {
  const names = Object.keys(rows);
  const built = syntheticReport(names.map((name) => rows[name] ?? []));
  built.hosts.forEach((host, index) => (host.name = names[index] ?? host.name));
  built.summary.score = score;
  return built;
}

describe("diffReports", () => {
  it("sorts each change of a result into its category", () => {
    const old = report({ tb1: ["pass", "fail", "fail", "error", "waived", "not_applicable", "fail", "fail", "pass"] });
    const now = report({ tb1: ["fail", "pass", "fail", "fail", "error", "fail", "waived", "not_applicable", "waived"] });
    const diff = diffReports(old, now);
    const pairs = (list: typeof diff.fixed) => list.map((change) => `${change.control}:${change.before}->${change.after}`);
    expect(pairs(diff.newlyFailing)).toEqual(["C-0:pass->fail", "C-4:waived->error", "C-5:not_applicable->fail"]);
    expect(pairs(diff.fixed)).toEqual(["C-1:fail->pass"]);
    expect(pairs(diff.stillFailing)).toEqual(["C-2:fail->fail", "C-3:error->fail"]);
    expect(pairs(diff.excused)).toEqual(["C-6:fail->waived", "C-7:fail->not_applicable"]);
    expect(diff.counts).toEqual({ newlyFailing: 3, fixed: 1, stillFailing: 2, excused: 2, hostsAdded: 0, hostsRemoved: 0, controlsAdded: 0, controlsRemoved: 0 });
    expect(hasRegressions(diff)).toBe(true);
  });

  it("keeps what was found: the new result for failures, the old one for fixes", () => {
    const old = report({ tb1: ["fail", "pass"] });
    const now = report({ tb1: ["pass", "fail"] });
    now.hosts[0]!.controls[1] = { ...now.hosts[0]!.controls[1]!, actual: "0.0.0.0:8443", message: "listens on every interface" };
    old.hosts[0]!.controls[0] = { ...old.hosts[0]!.controls[0]!, actual: "755" };
    const diff = diffReports(old, now);
    expect(diff.newlyFailing).toEqual([{ host: "tb1", control: "C-1", title: "control 1", severity: "high", before: "pass", after: "fail", actual: "0.0.0.0:8443", message: "listens on every interface" }]);
    expect(diff.fixed).toEqual([{ host: "tb1", control: "C-0", title: "control 0", severity: "critical", before: "fail", after: "pass", actual: "755", message: "fail" }]);
  });

  it("compares hosts by name, whatever their order; an added host's failures are newly failing", () => {
    const old = report({ tb1: ["fail", "pass"], tb2: ["pass", "pass"], tb3: ["fail", "fail"] });
    const now = report({ tb4: ["fail", "pass"], tb2: ["pass", "fail"], tb1: ["pass", "pass"] });
    const diff = diffReports(old, now);
    expect(diff.hostsAdded).toEqual(["tb4"]);
    expect(diff.hostsRemoved).toEqual(["tb3"]);
    expect(diff.newlyFailing.map((change) => [change.host, change.control, change.before])).toEqual([
      ["tb4", "C-0", null],
      ["tb2", "C-1", "pass"],
    ]);
    expect(diff.fixed.map((change) => [change.host, change.control])).toEqual([["tb1", "C-0"]]);
    // tb3's failures went with the host: they are in no category.
    expect(diff.stillFailing).toEqual([]);
    expect(hasRegressions(diffReports(old, old))).toBe(false);
  });

  it("controls added and removed; a new control's failures are newly failing", () => {
    const old = report({ tb1: ["pass", "fail"] });
    const now = report({ tb1: ["pass", "fail", "fail"] });
    now.controls = now.controls.filter((control) => control.id !== "C-1");
    now.hosts[0]!.controls = now.hosts[0]!.controls.filter((result) => result.id !== "C-1");
    const diff = diffReports(old, now);
    expect(diff.controlsAdded).toEqual(["C-2"]);
    expect(diff.controlsRemoved).toEqual(["C-1"]);
    expect(diff.newlyFailing.map((change) => [change.control, change.before, change.severity])).toEqual([["C-2", null, "medium"]]);
    expect(diff.stillFailing).toEqual([]);
  });

  it("orders changes by control, then host", () => {
    const old = report({ a: ["pass", "pass"], b: ["pass", "pass"] });
    const now = report({ a: ["fail", "fail"], b: ["fail", "fail"] });
    expect(diffReports(old, now).newlyFailing.map((change) => `${change.control}@${change.host}`)).toEqual(["C-0@a", "C-0@b", "C-1@a", "C-1@b"]);
  });
});

describe("rendering a diff", () => {
  const old = report({ tb1: ["fail", "pass", "fail"], tb3: ["pass", "pass", "pass"] }, 62.5);
  const now = report({ tb1: ["pass", "fail", "fail"], tb2: ["fail", "pass", "pass"] }, 50);
  now.controls[1] = { ...now.controls[1]!, title: "API | not on all interfaces" };
  now.hosts[0]!.controls[1] = { ...now.hosts[0]!.controls[1]!, actual: "[::]:8443" };

  it("as plain terminal text", () => {
    expect(renderDiffTable(diffReports(old, now))).toBe(
      [
        "Drift of p.yml: 2026-12-02T00:00:00.000Z → 2026-12-02T00:00:00.000Z",
        "Score: 62.5 → 50 (-12.5)",
        "Results: newly failing 2, fixed 1, still failing 1, excused 0",
        "Hosts added: tb2; removed: tb3",
        "Controls added: none; removed: none",
        "",
        "Newly failing (2)",
        "  HOST  CONTROL  SEVERITY  BEFORE  AFTER  TITLE",
        "  tb2   C-0      critical  absent  fail   control 0",
        "  tb1   C-1      high      pass    fail   API | not on all interfaces",
        "",
        "Fixed (1)",
        "  HOST  CONTROL  SEVERITY  BEFORE  AFTER  TITLE",
        "  tb1   C-0      critical  fail    pass   control 0",
        "",
        "Still failing (1)",
        "  HOST  CONTROL  SEVERITY  BEFORE  AFTER  TITLE",
        "  tb1   C-2      medium    fail    fail   control 2",
        "",
      ].join("\n"),
    );
    const clean = report({ tb1: ["pass", "not_applicable"] });
    expect(renderDiffTable(diffReports(clean, clean))).toContain("Results: newly failing 0, fixed 0, still failing 0, excused 0\nHosts added: none; removed: none\nControls added: none; removed: none\n\nNothing fails in the new report, and nothing it holds failed before.\n");
  });

  it("as Markdown, with | escaped", () => {
    const markdown = renderDiffMarkdown(diffReports(old, now));
    expect(markdown).toContain("# Drift of p.yml\n");
    expect(markdown).toContain("| score | 62.5 | 50 |");
    expect(markdown).toContain("**2 newly failing**, 1 fixed, 1 still failing, 0 excused (now waived or not applicable). Score 62.5 → 50 (-12.5).");
    expect(markdown).toContain("- Hosts added: tb2\n- Hosts removed: tb3\n- Controls added: none\n- Controls removed: none");
    expect(markdown).toContain(
      ["## Newly failing (2)", "", "| host | control | severity | before | after | title | found |", "| --- | --- | --- | --- | --- | --- | --- |", "| tb2 | C-0 | critical | absent | fail | control 0 | have |", "| tb1 | C-1 | high | pass | fail | API \\| not on all interfaces | [::]:8443 |"].join("\n"),
    );
    expect(markdown).not.toContain("## Excused");
  });
});
