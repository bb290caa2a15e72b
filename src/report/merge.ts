import type { ControlStatus, TaskStatus } from "../engine/results.js";
import { FleetError } from "../errors.js";
import { score } from "./build.js";
import type { FleetReport, ReportControl, ReportControlResult, ReportHost } from "./types.js";

/** Stable codes of `fleet report merge` refusals; category "usage" (exit 5): the reports given do not belong together. */
export const ReportMergeCode = {
  empty: "REPORT_MERGE_EMPTY",
  overlap: "REPORT_MERGE_OVERLAP",
  playbook: "REPORT_MERGE_PLAYBOOK",
  shards: "REPORT_MERGE_SHARDS",
} as const;

const CONTROL_STATUSES: readonly ControlStatus[] = ["pass", "fail", "error", "waived", "not_applicable"];
const TASK_STATUSES: readonly TaskStatus[] = ["ok", "changed", "failed", "skipped"];
const CONTROL_FIELDS = ["title", "severity", "scope", "remediation", "section", "rationale", "fix", "fixVar"] as const satisfies ReadonlyArray<keyof ReportControl>;

export function controlCounts(results: readonly ReportControlResult[]): Record<ControlStatus, number> {
  const counts = Object.fromEntries(CONTROL_STATUSES.map((status) => [status, 0])) as Record<ControlStatus, number>;
  for (const result of results) counts[result.status] += 1;
  return counts;
}

/**
 * The summary of the merged report. The host and task counters add up over disjoint parts, so they
 * are summed from the parts' summaries (which stay right for a report whose task lists were left
 * out); the control counts and the score are computed from the merged results.
 */
function mergedSummary(reports: readonly FleetReport[], hosts: readonly ReportHost[], controls: readonly ReportControl[]): FleetReport["summary"] {
  const sum = (value: (summary: FleetReport["summary"]) => number): number => reports.reduce((total, report) => total + value(report.summary), 0);
  const tasks = Object.fromEntries(TASK_STATUSES.map((status) => [status, sum((summary) => summary.tasks[status])])) as Record<TaskStatus, number>;
  const results = hosts.flatMap((host) => host.controls);
  return {
    hosts: hosts.length,
    unreachable: sum((summary) => summary.unreachable),
    changed: sum((summary) => summary.changed),
    failed: sum((summary) => summary.failed),
    tasks,
    controls: controlCounts(results),
    score: score(results, new Map(controls.map((control) => [control.id, control]))),
  };
}

/**
 * The reports of a run split with --shard I/N must be all N shards, each once: a missing shard
 * would silently drop its hosts from the fleet's report (an empty shard writes a report too).
 */
function checkShards(reports: readonly FleetReport[], name: (index: number) => string): void {
  const sharded = reports.flatMap((report, index) => (report.shard === undefined ? [] : [{ shard: report.shard, index }]));
  if (sharded.length === 0) return;
  const refuse = (message: string, hint: string): never => {
    throw new FleetError(ReportMergeCode.shards, message, { category: "usage", hint });
  };
  const whole = reports.findIndex((report) => report.shard === undefined);
  const first = sharded[0] as { shard: { index: number; count: number }; index: number };
  if (whole >= 0) refuse(`${name(whole)} is not a shard's report, ${name(first.index)} is shard ${first.shard.index}/${first.shard.count}`, "merge the reports of the N shards of one run (--shard I/N), and nothing else");
  const other = sharded.find((entry) => entry.shard.count !== first.shard.count);
  if (other !== undefined) refuse(`${name(other.index)} is shard ${other.shard.index}/${other.shard.count}, ${name(first.index)} is shard ${first.shard.index}/${first.shard.count}`, "merge the shards of one split (the same N); a run split in 4 and one split in 8 do not make one report");
  const seen = new Map<number, number>();
  for (const entry of sharded) {
    const earlier = seen.get(entry.shard.index);
    if (earlier !== undefined) refuse(`shard ${entry.shard.index}/${entry.shard.count} is given twice: ${name(earlier)} and ${name(entry.index)}`, "give each shard's report once");
    seen.set(entry.shard.index, entry.index);
  }
  const missing = Array.from({ length: first.shard.count }, (_, index) => index + 1).filter((index) => !seen.has(index));
  if (missing.length > 0) {
    const shown = missing.slice(0, 10).map((index) => `${index}/${first.shard.count}`).join(", ") + (missing.length > 10 ? ` and ${missing.length - 10} more` : "");
    refuse(missing.length === 1 ? `shard ${shown} is missing` : `${missing.length} shards are missing: ${shown}`, "give the report of every shard: a shard that failed must be run again (a shard with no hosts writes a report too)");
  }
}

/**
 * One report out of the reports of one run split across machines (each over different hosts).
 * Refuses (FleetError, category usage) reports that hold the same host, or that come from
 * different playbooks, modes or schemas, or define one control differently. The merged report lists
 * the hosts in the order given, the union of the controls (in order of first appearance), starts
 * with the earliest part and finishes with the latest, is interrupted if any part was; its host and
 * task counters are the sums of the parts', its control counts and score are recomputed. The
 * reports of a run split with --shard must be every shard once (REPORT_MERGE_SHARDS). `labels` name the reports in messages (e.g. their files).
 */
export function mergeReports(reports: readonly FleetReport[], labels: readonly string[] = []): FleetReport {
  const name = (index: number): string => labels[index] ?? `report ${index + 1}`;
  const first = reports[0];
  if (first === undefined) throw new FleetError(ReportMergeCode.empty, "no reports to merge", { category: "usage", hint: "give the JSON reports of every part of the run" });

  reports.forEach((report, index) => {
    for (const field of ["schema", "playbook", "mode"] as const) {
      if (report[field] !== first[field]) {
        throw new FleetError(ReportMergeCode.playbook, `${name(index)} has ${field} ${JSON.stringify(report[field])}, ${name(0)} has ${JSON.stringify(first[field])}`, {
          category: "usage",
          hint: "merge only the parts of one run: the same playbook (as given on the command line), the same mode (audit or run) and the same report schema",
        });
      }
    }
  });

  checkShards(reports, name);

  const owner = new Map<string, number>();
  const overlaps: string[] = [];
  reports.forEach((report, index) => {
    for (const host of report.hosts) {
      const earlier = owner.get(host.name);
      if (earlier !== undefined) overlaps.push(`${host.name} (${name(earlier)} and ${name(index)})`);
      else owner.set(host.name, index);
    }
  });
  if (overlaps.length > 0) {
    const shown = overlaps.slice(0, 5).join(", ") + (overlaps.length > 5 ? ` and ${overlaps.length - 5} more` : "");
    throw new FleetError(ReportMergeCode.overlap, `${overlaps.length === 1 ? "a host is" : `${overlaps.length} hosts are`} in more than one report: ${shown}`, {
      category: "usage",
      hint: "merge reports of disjoint hosts (split a run with -l); to compare two runs over the same hosts use `fleet report diff`",
    });
  }

  const controls = new Map<string, { control: ReportControl; from: number }>();
  reports.forEach((report, index) => {
    for (const control of report.controls) {
      const earlier = controls.get(control.id);
      if (earlier === undefined) {
        controls.set(control.id, { control, from: index });
        continue;
      }
      const field = CONTROL_FIELDS.find((key) => earlier.control[key] !== control[key]);
      if (field !== undefined) {
        throw new FleetError(ReportMergeCode.playbook, `control ${control.id} has ${field} ${JSON.stringify(control[field])} in ${name(index)} but ${JSON.stringify(earlier.control[field])} in ${name(earlier.from)}`, {
          category: "usage",
          hint: "the parts were run with different versions of the playbook; run every part with the same one",
        });
      }
    }
  });

  const hosts = reports.flatMap((report) => report.hosts);
  const catalogue = [...controls.values()].map((entry) => entry.control);
  const earliest = (a: string, b: string): string => (Date.parse(b) < Date.parse(a) ? b : a);
  const latest = (a: string, b: string): string => (Date.parse(b) > Date.parse(a) ? b : a);
  return {
    schema: first.schema,
    mode: first.mode,
    playbook: first.playbook,
    startedAt: reports.map((report) => report.startedAt).reduce(earliest),
    finishedAt: reports.map((report) => report.finishedAt).reduce(latest),
    interrupted: reports.some((report) => report.interrupted),
    summary: mergedSummary(reports, hosts, catalogue),
    hosts,
    controls: catalogue,
  };
}
