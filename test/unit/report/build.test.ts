import { describe, expect, it } from "vitest";
import type { ControlVerdict, HostResult, TaskResult } from "../../../src/engine/results.js";
import type { Control, Playbook, Task } from "../../../src/playbook/types.js";
import { buildReport, score } from "../../../src/report/build.js";
import { runExitCode } from "../../../src/cli/run-output.js";

const control = (id: string, severity: Control["severity"]): Control => ({ id, title: `title of ${id}`, severity, scope: "host", remediation: `fix ${id}` });
const CONTROLS = [control("C-1", "high"), control("C-2", "low"), control("C-3", "critical")];

function task(index: number, controlOf: Control | null): Task {
  return { index, name: `t${index}`, module: "assert", args: {}, control: controlOf, tags: [], when: [], notify: [], become: undefined, becomeUser: undefined, scope: "host", runOnce: false, checkMode: undefined, changedWhen: undefined, failedWhen: undefined, ignoreErrors: false, register: undefined, timeoutSeconds: undefined, noLog: false, location: { file: "p.yml" }, argLocations: {} };
}

const playbook: Playbook = {
  file: "p.yml",
  path: "/p.yml",
  baseDir: "/",
  plays: [{ name: "p", hosts: "all", become: undefined, becomeUser: undefined, defaults: {}, vars: {}, varsFiles: [], serial: undefined, maxFailPercentage: undefined, anyErrorsFatal: false, secretVars: [], tasks: [task(0, CONTROLS[0]!), task(1, CONTROLS[1]!), task(2, CONTROLS[2]!), task(3, CONTROLS[0]!), task(4, null)], handlers: [], location: { file: "p.yml" } }],
};

function result(index: number, status: TaskResult["status"], verdict: ControlVerdict["status"] | null): TaskResult {
  const t = playbook.plays[0]!.tasks[index]!;
  return { play: 0, task: index, handler: false, name: t.name, module: t.module, control: t.control, status, message: `${status} message`, diff: null, plan: null, output: null, delegatedTo: null, verdict: verdict === null || t.control === null ? null : { id: t.control.id, status: verdict, expected: verdict === "fail" ? "want" : null, actual: verdict === "fail" ? "have" : null, message: verdict }, ignored: false };
}

const host = (name: string, status: HostResult["status"], tasks: TaskResult[], error: string | null = null): HostResult => ({ host: name, cluster: null, status, error, interrupted: false, stopped: status === "failed" || status === "unreachable", tasks, durationMs: 1, execs: 1 });

describe("fleet-report/v1", () => {
  const hosts = [
    host("a", "ok", [result(0, "ok", "pass"), result(1, "ok", "pass"), result(2, "ok", "pass"), result(3, "ok", "pass"), result(4, "ok", null)]),
    host("b", "changed", [result(0, "changed", "fail"), result(1, "skipped", "not_applicable"), result(2, "ok", "pass"), result(3, "ok", "pass"), result(4, "changed", null)]),
    host("c", "failed", [result(0, "ok", "pass"), result(1, "failed", "error")], "stopped"),
    host("d", "unreachable", [], "no route"),
  ];
  const report = buildReport({ mode: "audit", playbook, startedAt: new Date(0), finishedAt: new Date(1000), interrupted: false, hosts });

  it("lists every control of the playbook once, in order of first use, with its metadata", () => {
    expect(report.controls.map((entry) => [entry.id, entry.severity, entry.remediation])).toEqual([["C-1", "high", "fix C-1"], ["C-2", "low", "fix C-2"], ["C-3", "critical", "fix C-3"]]);
  });

  it("judges every control on every host: the worst verdict of its tasks, 'not judged' errors where no task ran", () => {
    const matrix = Object.fromEntries(report.hosts.map((entry) => [entry.name, entry.controls.map((c) => c.status)]));
    expect(matrix).toEqual({ a: ["pass", "pass", "pass"], b: ["fail", "not_applicable", "pass"], c: ["pass", "error", "error"], d: ["error", "error", "error"] });
    expect(report.hosts[1]?.controls[0]).toEqual({ id: "C-1", status: "fail", expected: "want", actual: "have", message: "fail" });
    expect(report.hosts[2]?.controls[2]?.message).toBe("not judged: the host stopped before this control's task (stopped)");
    expect(report.hosts[3]?.controls[0]?.message).toBe("not judged: host unreachable (no route)");
  });

  it("totals equal the matrix, and the score weighs severities over judged controls", () => {
    const all = report.hosts.flatMap((entry) => entry.controls);
    expect(report.summary.controls).toEqual({ pass: all.filter((c) => c.status === "pass").length, fail: 1, error: 5, waived: 0, not_applicable: 1 });
    // pass weights: a 3+1+4, b 4, c 3 = 15; judged: a 8, b 3+4, c 3+1+4, d 3+1+4 = 31
    expect(report.summary.score).toBe(Math.round((15 / 31) * 1000) / 10);
    expect(report.summary).toMatchObject({ hosts: 4, unreachable: 1, changed: 1, failed: 1 });
    expect(score([], new Map())).toBe(100);
  });

  it("audit exits 2 on a failed control or a would-change task; run only on failed tasks; 3 for unreachable alone", () => {
    expect(runExitCode(report, "audit")).toBe(2);
    const clean = buildReport({ mode: "run", playbook, startedAt: new Date(0), finishedAt: new Date(0), interrupted: false, hosts: [hosts[0]!, hosts[3]!] });
    expect(runExitCode(clean, "run")).toBe(3);
    const changedOnly = buildReport({ mode: "run", playbook, startedAt: new Date(0), finishedAt: new Date(0), interrupted: false, hosts: [hosts[1]!] });
    expect(runExitCode(changedOnly, "run")).toBe(0);
    expect(runExitCode(changedOnly, "audit")).toBe(2);
  });
});
