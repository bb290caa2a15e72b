import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { formatLocation, InputFileError } from "../../../src/errors.js";
import { loadReport, parseReport } from "../../../src/report/load-report.js";
import { mergeReports } from "../../../src/report/merge.js";
import { syntheticReport } from "../../support/synthetic-report.js";

const directory = mkdtempSync(join(tmpdir(), "fleet-load-report-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function problemsOf(text: string, file = "r.json"): string[] {
  try {
    parseReport(text, file);
  } catch (error) {
    if (!(error instanceof InputFileError)) throw error;
    expect(error.category).toBe("parse");
    return error.problems.map((problem) => `${problem.location ? formatLocation(problem.location) : ""} ${problem.code} ${problem.message}`);
  }
  throw new Error("expected an InputFileError");
}

/** A small valid report, one value per line, so positions are easy to state. */
const small = `{
  "schema": "fleet-report/v1",
  "mode": "audit",
  "playbook": "playbooks/baseline.yml",
  "startedAt": "2026-12-02T10:00:00.000Z",
  "finishedAt": "2026-12-02T10:05:00.000Z",
  "summary": {
    "hosts": 1, "unreachable": 0, "changed": 0, "failed": 0,
    "controls": { "pass": 1, "fail": 0, "error": 0, "waived": 0, "not_applicable": 0 },
    "score": 100
  },
  "hosts": [
    {
      "name": "tb1",
      "cluster": null,
      "status": "ok",
      "error": null,
      "tasks": [
        { "name": "t", "module": "sysctl", "control": "LXD-MU-03", "status": "ok", "diff": null, "message": "" }
      ],
      "controls": [
        { "id": "LXD-MU-03", "status": "pass", "expected": "700", "actual": "700", "message": "ok", "comment": "extra" }
      ]
    }
  ],
  "controls": [
    { "id": "LXD-MU-03", "title": "Name leakage", "severity": "high", "scope": "host", "remediation": "chmod" }
  ]
}
`;

describe("loadReport", () => {
  it("reads back the JSON report fleet writes", async () => {
    const report = mergeReports([syntheticReport([["pass", "fail", "waived"], ["error", "not_applicable", "pass"]], ["cluster1", null])]);
    report.hosts[0]!.controls[2]!.waiver = { justification: "why", expires: "2027-01-31" };
    report.hosts[0]!.groups = ["lxd"];
    writeFileSync(join(directory, "whole.json"), `${JSON.stringify(report, null, 2)}\n`);
    expect(await loadReport("whole.json", { cwd: directory })).toEqual(report);
  });

  it("needs the fields CONTRACTS.md lists; those added since take their empty value, unknown ones are dropped", () => {
    const report = parseReport(small, "r.json");
    expect(report.interrupted).toBe(false);
    expect(report.summary.tasks).toEqual({ ok: 1, changed: 0, failed: 0, skipped: 0 });
    expect(report.hosts[0]).toMatchObject({ groups: [], execs: 0, durationMs: 0 });
    expect(report.hosts[0]?.tasks[0]?.delegatedTo).toBeNull();
    expect(report.hosts[0]?.controls[0]).toEqual({ id: "LXD-MU-03", status: "pass", expected: "700", actual: "700", message: "ok" });
    expect(report.controls[0]).toEqual({ id: "LXD-MU-03", title: "Name leakage", severity: "high", scope: "host", remediation: "chmod", section: null, rationale: null, fix: null, fixVar: null });
  });

  it("a missing file", async () => {
    const error: unknown = await loadReport("missing.json", { cwd: directory }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(InputFileError);
    expect((error as InputFileError).describe()).toBe("missing.json: report missing.json not found [REPORT_NOT_FOUND]\n  hint: check the path of the JSON report");
  });

  it("a file that is not JSON, at the position where it stops being JSON", () => {
    expect(problemsOf('{\n  "schema": "fleet-report/v1",\n}\n')).toEqual([expect.stringMatching(/^r\.json:3:1 REPORT_JSON not JSON: /)]);
    expect(problemsOf("\n<!doctype html>\n<html>")).toEqual([expect.stringMatching(/^r\.json:2:1 REPORT_JSON not JSON: /)]);
    // V8 gives no position for an unexpected token inside the JSON (newer versions do).
    expect(problemsOf("[1, 2, x]")).toEqual([expect.stringMatching(/^r\.json(?::1:8)? REPORT_JSON not JSON: /)]);
    expect(problemsOf('{"schema": "fleet-report/v1"')).toEqual([expect.stringMatching(/^r\.json:1:29 REPORT_JSON not JSON: /)]);
    try {
      parseReport("# Compliance report\n", "report.md");
    } catch (error) {
      expect((error as InputFileError).hint).toMatch(/JSON report written by `fleet audit\|run --report FILE\.json`/);
    }
  });

  it("JSON that is not a fleet report, or of another schema", () => {
    expect(problemsOf('\n  {"hosts": []}')).toEqual(['r.json:2:3 REPORT_SCHEMA not a fleet report: the JSON has no "schema" field']);
    expect(problemsOf("[1, 2]")).toEqual(['r.json:1:1 REPORT_SCHEMA not a fleet report: the JSON has no "schema" field']);
    expect(problemsOf(small.replace("fleet-report/v1", "fleet-report/v2"))).toEqual(['r.json:2:13 REPORT_SCHEMA schema "fleet-report/v2" is not fleet-report/v1']);
  });

  it("every value that breaks the schema, at its position", () => {
    const broken = small.replace('"status": "pass"', '"status": "passed"').replace('"score": 100', '"score": 120').replace('"cluster": null,\n', "").replace('"severity": "high"', '"severity": 3');
    expect(problemsOf(broken)).toEqual([
      "r.json:10:14 REPORT_INVALID summary.score: Too big: expected number to be <=100",
      // A missing field: the object that lacks it.
      "r.json:13:5 REPORT_INVALID hosts[0].cluster: Invalid input: expected string, received undefined",
      'r.json:21:40 REPORT_INVALID hosts[0].controls[0].status: Invalid option: expected one of "pass"|"fail"|"error"|"waived"|"not_applicable"',
      'r.json:26:63 REPORT_INVALID controls[0].severity: Invalid option: expected one of "low"|"medium"|"high"|"critical"',
    ]);
  });

  it("host names and control ids listed twice, a result of a control the report does not list", () => {
    const report = syntheticReport([["pass"], ["fail"]]);
    report.hosts[1]!.name = "h0";
    report.hosts[0]!.controls.push({ id: "C-9", status: "pass", expected: null, actual: null, message: "" });
    report.controls.push({ ...report.controls[0]! });
    const problems = problemsOf(JSON.stringify(report, null, 2));
    expect(problems.map((problem) => problem.replace(/^r\.json:[0-9]+:[0-9]+ /, ""))).toEqual([
      "REPORT_INVALID hosts[1].name: host h0 is listed twice",
      "REPORT_INVALID controls[1].id: control C-0 is listed twice",
      "REPORT_INVALID hosts[0].controls[1].id: control C-9 is not among the report's controls",
    ]);
  });
});
