import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ControlStatus, TaskStatus } from "../../../src/engine/results.js";
import { mergeReports } from "../../../src/report/merge.js";
import { CONTROL_STATUSES, reportModel } from "../../../src/report/model.js";
import type { FleetReport, ReportHost } from "../../../src/report/types.js";
import { caughtFleetError } from "../../support/caught.js";
import { syntheticReport } from "../../support/synthetic-report.js";

const TASK_STATUSES: readonly TaskStatus[] = ["ok", "changed", "failed", "skipped"];

/** The summary fleet writes, computed here independently of merge.ts. */
function withSummary(report: FleetReport): FleetReport {
  const model = reportModel(report);
  const tasks = { ok: 0, changed: 0, failed: 0, skipped: 0 };
  for (const host of report.hosts) for (const task of host.tasks) tasks[task.status]++;
  return {
    ...report,
    summary: {
      hosts: report.hosts.length,
      unreachable: report.hosts.filter((host) => host.status === "unreachable").length,
      changed: report.hosts.filter((host) => host.tasks.some((task) => task.status === "changed")).length,
      failed: report.hosts.filter((host) => host.status === "failed").length,
      tasks,
      controls: model.counts,
      score: model.score,
    },
  };
}

function part(whole: FleetReport, hosts: ReportHost[], times: [string, string], interrupted = false): FleetReport {
  return withSummary({ ...whole, hosts, startedAt: times[0], finishedAt: times[1], interrupted });
}

const hostArbitrary = fc.record({
  status: fc.constantFrom<ReportHost["status"]>("ok", "changed", "failed", "unreachable"),
  cluster: fc.constantFrom("cluster1", "cluster2", null),
  groups: fc.subarray(["standalone", "lxd", "web"]),
  tasks: fc.array(fc.constantFrom(...TASK_STATUSES), { maxLength: 4 }),
  waived: fc.boolean(),
});

const splitArbitrary = fc.integer({ min: 1, max: 6 }).chain((width) =>
  fc.record({
    matrix: fc.array(fc.array(fc.constantFrom(...CONTROL_STATUSES), { minLength: width, maxLength: width }), { minLength: 1, maxLength: 10 }),
    hosts: fc.array(hostArbitrary, { minLength: 10, maxLength: 10 }),
    parts: fc.integer({ min: 1, max: 4 }).chain((count) =>
      fc.record({
        assignment: fc.array(fc.integer({ min: 0, max: count - 1 }), { minLength: 10, maxLength: 10 }),
        times: fc.array(fc.tuple(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 10_000 }), fc.boolean()), { minLength: count, maxLength: count }),
      }),
    ),
  }),
);

const at = (seconds: number): string => new Date(Date.UTC(2026, 11, 2) + seconds * 1000).toISOString();

describe("mergeReports", () => {
  it("merging the parts of a report equals the whole (random disjoint parts)", () => {
    fc.assert(
      fc.property(splitArbitrary, ({ matrix, hosts: extras, parts: { assignment, times } }) => {
        const base = syntheticReport(matrix, extras.map((extra) => extra.cluster));
        base.hosts.forEach((host, index) => {
          const extra = extras[index]!;
          host.status = extra.status;
          host.groups = extra.groups;
          host.tasks = extra.tasks.map((status, taskIndex) => ({ name: `t${taskIndex}`, module: "shell", control: null, status, diff: null, message: "", delegatedTo: null }));
          host.controls = host.controls.map((result) => (extra.waived && result.status === "waived" ? { ...result, waiver: { justification: "ok", expires: "2027-01-01" } } : result));
        });
        const partOf = (index: number): number => assignment[index] ?? 0;
        const order = base.hosts.map((host, index) => ({ host, part: partOf(index) })).sort((a, b) => a.part - b.part);
        const used = [...new Set(order.map((entry) => entry.part))];
        const spans = used.map((index): [string, string, boolean] => {
          const [start, length, interrupted] = times[index] ?? [0, 0, false];
          return [at(start), at(start + length), interrupted];
        });
        const parts = used.map((index, position) => {
          const [startedAt, finishedAt, interrupted] = spans[position]!;
          return part(base, order.filter((entry) => entry.part === index).map((entry) => entry.host), [startedAt, finishedAt], interrupted);
        });
        const whole = withSummary({
          ...base,
          hosts: order.map((entry) => entry.host),
          startedAt: spans.map((span) => span[0]).sort()[0]!,
          finishedAt: spans.map((span) => span[1]).sort().at(-1)!,
          interrupted: spans.some((span) => span[2]),
        });
        expect(mergeReports(parts)).toEqual(whole);
      }),
    );
  });

  it("lists the hosts in the order given and the union of the controls", () => {
    const a = withSummary(syntheticReport([["pass", "fail"]]));
    const b = withSummary(syntheticReport([["fail", "pass", "error"]]));
    b.hosts[0]!.name = "x1";
    const merged = mergeReports([b, a]);
    expect(merged.hosts.map((host) => host.name)).toEqual(["x1", "h0"]);
    expect(merged.controls.map((control) => control.id)).toEqual(["C-0", "C-1", "C-2"]);
    expect(merged.summary.controls).toEqual({ pass: 2, fail: 2, error: 1, waived: 0, not_applicable: 0 });
    expect(merged.summary.hosts).toBe(2);
  });

  it("refuses reports that share a host, naming the hosts and the reports", () => {
    const a = withSummary(syntheticReport([["pass"], ["fail"]]));
    const b = withSummary(syntheticReport([["pass"], ["fail"], ["pass"]]));
    const error = caughtFleetError(() => mergeReports([a, b], ["a.json", "b.json"]));
    expect(error.code).toBe("REPORT_MERGE_OVERLAP");
    expect(error.category).toBe("usage");
    expect(error.message).toBe("2 hosts are in more than one report: h0 (a.json and b.json), h1 (a.json and b.json)");
    expect(error.hint).toMatch(/disjoint hosts .*-l.*fleet report diff/);
    expect(caughtFleetError(() => mergeReports([a, a])).message).toBe("2 hosts are in more than one report: h0 (report 1 and report 2), h1 (report 1 and report 2)");
  });

  it("refuses reports of different playbooks, modes or schemas", () => {
    const a = withSummary(syntheticReport([["pass"]]));
    const b = withSummary(syntheticReport([["pass"], ["pass"]]));
    b.hosts = b.hosts.slice(1);
    const other: FleetReport[] = [{ ...b, playbook: "other.yml" }, { ...b, mode: "run" }, { ...b, schema: "fleet-report/v2" as FleetReport["schema"] }];
    const messages = other.map((report) => {
      const error = caughtFleetError(() => mergeReports([a, report], ["a.json", "b.json"]));
      expect(error.code).toBe("REPORT_MERGE_PLAYBOOK");
      expect(error.hint).toMatch(/the same playbook .*mode .*schema/);
      return error.message;
    });
    expect(messages).toEqual(['b.json has playbook "other.yml", a.json has "p.yml"', 'b.json has mode "run", a.json has "audit"', 'b.json has schema "fleet-report/v2", a.json has "fleet-report/v1"']);
    expect(mergeReports([a, b]).hosts.map((host) => host.name)).toEqual(["h0", "h1"]);
  });

  it("refuses a control defined differently in two parts", () => {
    const a = withSummary(syntheticReport([["pass", "pass"]]));
    const b = withSummary(syntheticReport([["pass", "pass"], ["pass", "pass"]]));
    b.hosts = b.hosts.slice(1);
    b.controls = b.controls.map((control) => (control.id === "C-1" ? { ...control, severity: "low" } : control));
    const error = caughtFleetError(() => mergeReports([a, b]));
    expect(error.code).toBe("REPORT_MERGE_PLAYBOOK");
    expect(error.message).toBe('control C-1 has severity "low" in report 2 but "high" in report 1');
    expect(error.hint).toMatch(/different versions of the playbook/);
  });

  it("refuses an empty list; one report merges to itself", () => {
    expect(caughtFleetError(() => mergeReports([])).code).toBe("REPORT_MERGE_EMPTY");
    const report = withSummary(syntheticReport([["pass", "fail"], ["error", "waived"]]));
    expect(mergeReports([report])).toEqual(report);
  });

  it("recomputes the control counts and the score; sums the host and task counters of the parts", () => {
    const a = syntheticReport([["pass", "fail"]]);
    const statuses: ControlStatus[] = ["fail", "fail"];
    const b = syntheticReport([statuses, statuses]);
    b.hosts = b.hosts.slice(1);
    // Parts whose task lists were left out (as in a trimmed report) still count their tasks.
    a.summary = { ...a.summary, changed: 1, failed: 1, tasks: { ok: 10, changed: 1, failed: 2, skipped: 3 } };
    b.summary = { ...b.summary, unreachable: 1, tasks: { ok: 5, changed: 0, failed: 0, skipped: 1 } };
    const merged = mergeReports([a, b]);
    const expected = withSummary({ ...a, hosts: [...a.hosts, ...b.hosts] }).summary;
    expect(merged.summary).toEqual({ ...expected, unreachable: 1, changed: 1, failed: 1, tasks: { ok: 15, changed: 1, failed: 2, skipped: 4 } });
    expect(merged.summary.controls).toEqual({ pass: 1, fail: 3, error: 0, waived: 0, not_applicable: 0 });
    expect(merged.summary.score).toBe(expected.score);
  });
});
