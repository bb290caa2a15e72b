import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ControlStatus } from "../../../src/engine/results.js";
import { UsageError } from "../../../src/errors.js";
import { diffReports } from "../../../src/report/diff.js";
import { stateOf, trendModel, type TrendModel, type TrendResult } from "../../../src/report/trend.js";
import type { FleetReport } from "../../../src/report/types.js";
import { syntheticReport } from "../../support/synthetic-report.js";

const DAY = 86_400_000;
const T0 = Date.parse("2026-12-01T00:00:00.000Z");
const iso = (day: number): string => new Date(T0 + day * DAY).toISOString();

/** A report started `day` days after T0 with these hosts (name → statuses of C-0, C-1, …). */
function at(day: number, hosts: Record<string, ControlStatus[]>, patch: Partial<FleetReport> = {}): FleetReport {
  const names = Object.keys(hosts);
  const report = syntheticReport(names.map((name) => hosts[name] ?? []));
  report.hosts.forEach((host, index) => (host.name = names[index] ?? host.name));
  report.startedAt = iso(day);
  report.finishedAt = new Date(T0 + day * DAY + 1000).toISOString();
  return Object.assign(report, patch);
}

/** One host h0, one control C-0, one status per day. */
function series(statuses: ControlStatus[]): FleetReport[] {
  return statuses.map((status, day) => at(day, { h0: [status] }));
}

function result(model: TrendModel, host: string, control: string): TrendResult {
  const found = model.results.find((entry) => entry.host === host && entry.control === control);
  if (found === undefined) throw new Error(`no result ${host} ${control}`);
  return found;
}

describe("trendModel: a control failing, fixed, regressing again", () => {
  const model = trendModel(series(["pass", "fail", "fail", "pass", "fail", "pass"]));
  const cell = result(model, "h0", "C-0");
  const control = model.controls[0];

  it("finds each failure from the report that first saw it to the report that saw it pass", () => {
    expect(cell.episodes).toEqual([
      { startedAt: iso(1), fixedAt: iso(3), durationMs: 2 * DAY, sinceFirstSeen: false },
      { startedAt: iso(4), fixedAt: iso(5), durationMs: DAY, sinceFirstSeen: false },
    ]);
    expect([cell.regressions, cell.fixes]).toEqual([2, 2]);
  });

  it("counts regressions and fixes per report interval", () => {
    expect(model.points.map((point) => point.regressions)).toEqual([0, 1, 0, 0, 1, 0]);
    expect(model.points.map((point) => point.fixes)).toEqual([0, 0, 0, 1, 0, 1]);
    expect(model.points.map((point) => point.newFailures)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(model.totals).toMatchObject({ reports: 6, counted: 6, interrupted: 0, regressions: 2, fixes: 2, newFailures: 0, open: 0, failingNow: 0 });
  });

  it("gives time to remediate per control: mean, median, max of the fail → pass durations", () => {
    expect(control?.remediation).toEqual({ count: 2, meanMs: 1.5 * DAY, medianMs: 1.5 * DAY, maxMs: 2 * DAY });
    expect(model.totals.remediation).toEqual(control?.remediation);
  });

  it("says when it was fixed and its current streak", () => {
    expect(control).toMatchObject({ state: "passing", failingSince: null, fixedAt: iso(5), failingHosts: [], regressions: 2, fixes: 2 });
    expect(control?.streak).toEqual({ state: "passing", reports: 1, since: iso(5) });
    expect(control?.passShare).toEqual([100, 0, 0, 100, 0, 100]);
  });

  it("gives score and pass share per report", () => {
    expect(model.points.map((point) => [point.score, point.passShare])).toEqual([
      [100, 100],
      [0, 0],
      [0, 0],
      [100, 100],
      [0, 0],
      [100, 100],
    ]);
  });

  it("while failing: failing since the start of the failure, not yet fixed, the streak counts the failing reports", () => {
    const failing = trendModel(series(["pass", "fail", "pass", "pass", "fail", "error", "fail"]));
    expect(failing.controls[0]).toMatchObject({ state: "failing", failingSince: iso(4), fixedAt: null, failingHosts: ["h0"] });
    expect(failing.controls[0]?.streak).toEqual({ state: "failing", reports: 3, since: iso(4) });
    expect(result(failing, "h0", "C-0")).toMatchObject({ status: "fail", failingSince: iso(4) });
    expect(failing.totals).toMatchObject({ open: 1, failingNow: 1, fixes: 1, regressions: 2 });
  });
});

describe("trendModel: started failing", () => {
  it("a failure present in the first report starts there (since first seen) and is a new failure, not a regression", () => {
    const model = trendModel(series(["fail", "fail", "pass"]));
    expect(result(model, "h0", "C-0").episodes).toEqual([{ startedAt: iso(0), fixedAt: iso(2), durationMs: 2 * DAY, sinceFirstSeen: true }]);
    expect(model.points.map((point) => point.newFailures)).toEqual([1, 0, 0]);
    expect(model.totals).toMatchObject({ regressions: 0, newFailures: 1, fixes: 1 });
  });

  it("an error is failing, as in the score and in report diff", () => {
    const model = trendModel(series(["pass", "error", "pass"]));
    expect(model.totals).toMatchObject({ regressions: 1, fixes: 1 });
  });

  it("puts the reports in time order, whatever order they are given in", () => {
    const reports = series(["pass", "fail", "pass"]);
    const model = trendModel([reports[2], reports[0], reports[1]].filter((report) => report !== undefined), { sources: ["c.json", "a.json", "b.json"] });
    expect(model.points.map((point) => point.source)).toEqual(["a.json", "b.json", "c.json"]);
    expect(model.totals).toMatchObject({ regressions: 1, fixes: 1 });
  });
});

describe("trendModel: hosts appearing and disappearing", () => {
  const reports = [at(0, { h0: ["fail"], h1: ["pass"] }), at(1, { h1: ["pass"] }), at(2, { h1: ["pass"], h2: ["fail"] })];
  const model = trendModel(reports);

  it("a removed host's failure is not fixed: it stays open, and the control is not 'fixed' either", () => {
    expect(result(model, "h0", "C-0")).toMatchObject({ present: false, status: "fail", fixes: 0, episodes: [{ startedAt: iso(0), fixedAt: null, durationMs: null, sinceFirstSeen: true }] });
    expect(model.points[1]).toMatchObject({ fixes: 0, regressions: 0, hostsRemoved: ["h0"] });
    expect(model.totals.fixes).toBe(0);
    expect(model.totals.remediation.count).toBe(0);
    const h0 = model.hosts.find((host) => host.name === "h0");
    expect(h0).toMatchObject({ present: false, firstSeen: iso(0), lastSeen: iso(0), failingControls: [], fixedAt: null });
  });

  it("a new host failing is a new failure, not a regression", () => {
    expect(model.points[2]).toMatchObject({ newFailures: 1, regressions: 0, hostsAdded: ["h2"] });
    expect(model.controls[0]).toMatchObject({ state: "failing", failingSince: iso(2), fixedAt: null, failingHosts: ["h2"] });
  });

  it("lists hosts in the latest report's order, then those gone", () => {
    expect(model.hosts.map((host) => [host.name, host.present])).toEqual([
      ["h1", true],
      ["h2", true],
      ["h0", false],
    ]);
    expect(model.hosts.find((host) => host.name === "h2")?.score).toEqual([null, null, 0]);
  });

  it("a host that comes back carries its failure over the reports it missed", () => {
    const back = trendModel([at(0, { h0: ["fail"], h1: ["pass"] }), at(1, { h1: ["pass"] }), at(3, { h0: ["pass"], h1: ["pass"] })]);
    expect(result(back, "h0", "C-0").episodes).toEqual([{ startedAt: iso(0), fixedAt: iso(3), durationMs: 3 * DAY, sinceFirstSeen: true }]);
  });

  it("an unreachable host's results are a gap, not a failure", () => {
    const reports = series(["pass", "error", "pass"]);
    const middle = reports[1]?.hosts[0];
    if (middle) Object.assign(middle, { status: "unreachable", error: "connect timeout" });
    const gap = trendModel(reports);
    expect(gap.totals).toMatchObject({ regressions: 0, fixes: 0, open: 0 });
    expect(gap.points[1]).toMatchObject({ unreachable: 1, score: 0, regressions: 0 });
    expect(result(gap, "h0", "C-0").streak).toEqual({ state: "passing", reports: 2, since: iso(0) });
  });

  it("a removed control is not fixed either", () => {
    const removed = trendModel([at(0, { h0: ["pass", "fail"] }), at(1, { h0: ["pass"] })]);
    expect(removed.controls.map((control) => [control.id, control.present])).toEqual([
      ["C-0", true],
      ["C-1", false],
    ]);
    expect(removed.totals).toMatchObject({ fixes: 0, open: 1, failingNow: 0 });
    expect(removed.hosts[0]).toMatchObject({ state: "passing", fixedAt: null });
  });
});

describe("trendModel: waived and not_applicable", () => {
  it("neither fixes nor starts a failure: fail → waived → pass is one failure, fixed at the pass", () => {
    const model = trendModel(series(["fail", "waived", "pass"]));
    expect(result(model, "h0", "C-0").episodes).toEqual([{ startedAt: iso(0), fixedAt: iso(2), durationMs: 2 * DAY, sinceFirstSeen: true }]);
  });

  it("pass → waived → fail is a regression", () => {
    const model = trendModel(series(["pass", "waived", "fail"]));
    expect(model.points.map((point) => point.regressions)).toEqual([0, 0, 1]);
  });

  it("a failure now waived is open but not failing now, and not fixed", () => {
    const model = trendModel(series(["pass", "fail", "waived", "waived"]));
    expect(model.controls[0]).toMatchObject({ state: "waived", failingSince: null, fixedAt: null, failingHosts: [] });
    expect(model.controls[0]?.streak).toEqual({ state: "waived", reports: 2, since: iso(2) });
    expect(model.totals).toMatchObject({ open: 1, failingNow: 0, fixes: 0 });
  });

  it("not_applicable is neutral too; pass share leaves both out, null when nothing is judged", () => {
    const model = trendModel(series(["pass", "not_applicable", "pass"]));
    expect(model.totals).toMatchObject({ regressions: 0, fixes: 0 });
    expect(model.points.map((point) => point.passShare)).toEqual([100, null, 100]);
    expect(model.points.map((point) => point.score)).toEqual([100, 100, 100]);
  });
});

describe("trendModel: interrupted reports are gaps", () => {
  it("shown with their score, but no transition is decided on them", () => {
    // an interrupted run leaves what it did not reach as error ("not judged")
    const model = trendModel([at(0, { h0: ["fail"] }), at(1, { h0: ["error"] }, { interrupted: true }), at(2, { h0: ["pass"] })]);
    expect(model.points.map((point) => [point.counted, point.interrupted, point.regressions, point.fixes])).toEqual([
      [true, false, 0, 0],
      [false, true, null, null],
      [true, false, 0, 1],
    ]);
    expect(result(model, "h0", "C-0").episodes).toEqual([{ startedAt: iso(0), fixedAt: iso(2), durationMs: 2 * DAY, sinceFirstSeen: true }]);
    expect(model.totals).toMatchObject({ reports: 3, counted: 2, interrupted: 1 });
  });

  it("an interrupted report that passes does not fix anything", () => {
    const model = trendModel([at(0, { h0: ["fail"] }), at(1, { h0: ["pass"] }, { interrupted: true }), at(2, { h0: ["fail"] })]);
    expect(model.totals).toMatchObject({ fixes: 0, regressions: 0, newFailures: 1, open: 1 });
    expect(model.controls[0]?.streak).toEqual({ state: "failing", reports: 2, since: iso(0) });
  });

  it("nor does an interrupted report that fails start a failure", () => {
    const model = trendModel([at(0, { h0: ["pass"] }), at(1, { h0: ["error"] }, { interrupted: true }), at(2, { h0: ["pass"] })]);
    expect(model.totals).toMatchObject({ fixes: 0, regressions: 0, open: 0 });
  });
});

describe("trendModel: shard reports, playbooks, filters", () => {
  it("leaves shard reports out, with a warning to merge them first", () => {
    const model = trendModel([at(0, { h0: ["pass"] }), at(1, { h1: ["fail"] }, { shard: { index: 1, count: 2 } })], { sources: ["a.json", "s1.json"] });
    expect(model.points.map((point) => point.source)).toEqual(["a.json"]);
    expect(model.skipped).toEqual([{ source: "s1.json", reason: expect.stringContaining("fleet report merge") as string }]);
    expect(model.warnings.join("\n")).toMatch(/s1\.json: left out: shard 1\/2/);
  });

  it("warns when the reports are of several playbooks", () => {
    const model = trendModel([at(0, { h0: ["pass"] }), at(1, { h0: ["pass"] }, { playbook: "other.yml" })]);
    expect(model.playbooks).toEqual(["p.yml", "other.yml"]);
    expect(model.warnings.join("\n")).toContain("2 playbooks");
  });

  it("--control and --host narrow every figure to the selected results", () => {
    const reports = [at(0, { h0: ["pass", "fail"], h1: ["fail", "pass"] }), at(1, { h0: ["pass", "pass"], h1: ["pass", "pass"] })];
    const control = trendModel(reports, { control: "C-1" });
    expect(control.controls.map((entry) => entry.id)).toEqual(["C-1"]);
    expect(control.results.map((entry) => `${entry.host}/${entry.control}`)).toEqual(["h0/C-1", "h1/C-1"]);
    expect(control.points.map((point) => point.counts.fail)).toEqual([1, 0]);
    expect(control.totals.fixes).toBe(1);
    const host = trendModel(reports, { host: "h1" });
    expect(host.hosts.map((entry) => entry.name)).toEqual(["h1"]);
    expect(host.points.map((point) => [point.hosts, point.counts.fail])).toEqual([
      [1, 1],
      [1, 0],
    ]);
    expect(host.filter).toEqual({ control: null, host: "h1" });
  });

  it("an unknown --control or --host is a usage error naming the closest", () => {
    const reports = [at(0, { web1: ["pass"] })];
    expect(() => trendModel(reports, { control: "C-O" })).toThrow(UsageError);
    expect(() => trendModel(reports, { control: "C-O" })).toThrow(/C-O/);
    try {
      trendModel(reports, { host: "web2" });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).hint).toContain("web1");
    }
  });

  it("an empty history is an empty model", () => {
    const model = trendModel([]);
    expect(model.points).toEqual([]);
    expect(model.totals.remediation).toEqual({ count: 0, meanMs: null, medianMs: null, maxMs: null });
  });
});

describe("trendModel: time to remediate figures", () => {
  it("median of an even count is the mean of the middle two; mean rounded to the millisecond", () => {
    // failures of 1, 2, 4 and 7 days on four hosts
    const days: Record<string, number> = { a: 1, b: 2, c: 4, d: 7 };
    const reports = [0, 1, 2, 4, 7].map((day) => at(day, Object.fromEntries(Object.entries(days).map(([host, fixedOn]) => [host, [day < fixedOn ? "fail" : "pass"] as ControlStatus[]]))));
    const model = trendModel(reports);
    expect(model.controls[0]?.remediation).toEqual({ count: 4, meanMs: 3.5 * DAY, medianMs: 3 * DAY, maxMs: 7 * DAY });
    expect(model.hosts.find((host) => host.name === "c")?.remediation).toEqual({ count: 1, meanMs: 4 * DAY, medianMs: 4 * DAY, maxMs: 4 * DAY });
  });
});

const STATUS = fc.constantFrom<ControlStatus>("pass", "fail", "error", "waived", "not_applicable");
const history = fc.array(
  fc.record({
    gapHours: fc.integer({ min: 0, max: 72 }),
    interrupted: fc.boolean(),
    hosts: fc.array(fc.option(fc.array(STATUS, { minLength: 3, maxLength: 3 }), { nil: undefined }), { minLength: 3, maxLength: 3 }),
  }),
  { minLength: 1, maxLength: 10 },
);

function build(spec: ReadonlyArray<{ gapHours: number; interrupted: boolean; hosts: Array<ControlStatus[] | undefined> }>): FleetReport[] {
  let hours = 0;
  return spec.map((entry) => {
    hours += entry.gapHours;
    const hosts: Record<string, ControlStatus[]> = {};
    entry.hosts.forEach((row, index) => {
      if (row !== undefined) hosts[`h${index}`] = row;
    });
    if (Object.keys(hosts).length === 0) hosts["h0"] = ["pass", "pass", "pass"];
    return at(hours / 24, hosts, { interrupted: entry.interrupted });
  });
}

describe("trendModel: properties", () => {
  it("fixes ≤ regressions + new failures, and what is not fixed is open", () => {
    fc.assert(
      fc.property(history, (spec) => {
        const model = trendModel(build(spec));
        const { totals } = model;
        expect(totals.fixes).toBeLessThanOrEqual(totals.regressions + totals.newFailures);
        expect(totals.open).toBe(totals.regressions + totals.newFailures - totals.fixes);
        expect(totals.remediation.count).toBe(totals.fixes);
        expect(totals.failingNow).toBeLessThanOrEqual(totals.open);
        const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);
        expect(sum(model.controls.map((control) => control.fixes))).toBe(totals.fixes);
        expect(sum(model.hosts.map((host) => host.regressions))).toBe(totals.regressions);
        expect(sum(model.results.map((entry) => entry.episodes.length))).toBe(totals.regressions + totals.newFailures);
      }),
      { numRuns: 300 },
    );
  });

  it("streaks agree with the last judged status and never outrun the judged reports", () => {
    fc.assert(
      fc.property(history, (spec) => {
        const model = trendModel(build(spec));
        for (const entry of model.results) {
          expect(entry.streak).not.toBeNull();
          if (entry.streak === null || entry.status === null) continue;
          expect(entry.streak.state).toBe(stateOf(entry.status));
          expect(entry.streak.reports).toBeLessThanOrEqual(model.totals.counted);
          expect(Date.parse(entry.streak.since)).toBeLessThanOrEqual(Date.parse(model.points.at(-1)?.startedAt ?? ""));
          expect(entry.failingSince !== null).toBe(entry.streak.state === "failing");
          // failures alternate with fixes: every one but the last is closed, in time order
          entry.episodes.forEach((episode, index) => {
            if (index < entry.episodes.length - 1) expect(episode.fixedAt).not.toBeNull();
            if (episode.durationMs !== null) expect(episode.durationMs).toBeGreaterThanOrEqual(0);
          });
        }
      }),
      { numRuns: 300 },
    );
  });

  it("with every host judged in every report and no waived or n/a result, each interval's figures are report diff's", () => {
    const strict = fc.array(fc.array(fc.array(fc.constantFrom<ControlStatus>("pass", "fail", "error"), { minLength: 2, maxLength: 2 }), { minLength: 2, maxLength: 2 }), { minLength: 2, maxLength: 8 });
    fc.assert(
      fc.property(strict, (matrices) => {
        const reports = matrices.map((rows, day) => at(day, { h0: rows[0] ?? [], h1: rows[1] ?? [] }));
        const model = trendModel(reports);
        for (let index = 1; index < reports.length; index++) {
          const before = reports[index - 1];
          const after = reports[index];
          if (before === undefined || after === undefined) continue;
          const diff = diffReports(before, after);
          expect(model.points[index]?.fixes).toBe(diff.counts.fixed);
          expect(model.points[index]?.regressions).toBe(diff.counts.newlyFailing);
        }
      }),
      { numRuns: 200 },
    );
  });
});
