import type { Shard } from "../inventory/shard.js";
import type { ControlStatus, ControlVerdict, HostResult } from "../engine/results.js";
import type { Control, Playbook, Severity, Task } from "../playbook/types.js";
import type { FleetReport, ReportControl, ReportControlResult, ReportHost } from "./types.js";

export interface ReportInput {
  mode: "audit" | "run";
  playbook: Playbook;
  startedAt: Date;
  finishedAt: Date;
  interrupted: boolean;
  /** The shard this run was (--shard I/N), if it was one. */
  shard?: Shard;
  hosts: readonly HostResult[];
  /** Inventory groups by host name, for the report's filters. */
  groups?: ReadonlyMap<string, readonly string[]>;
  /** The tasks -t/--skip-tags selected: only their controls are in the report. */
  selected?: (task: Task) => boolean;
}

/** Severity weights of the score (see docs/reports.md). */
export const SEVERITY_WEIGHT: Record<Severity, number> = { low: 1, medium: 2, high: 3, critical: 4 };

/** Builds the fleet-report/v1 document. Pure. */
export function buildReport(input: ReportInput): FleetReport {
  const catalogue = controlCatalogue(input.playbook, input.selected);
  const hosts = input.hosts.map((host) => reportHost(host, catalogue, input.interrupted, input.groups?.get(host.host) ?? []));
  const controlCounts = countBy(hosts.flatMap((host) => host.controls), (control) => control.status, ["pass", "fail", "error", "waived", "not_applicable"] as const);
  const taskCounts = countBy(hosts.flatMap((host) => host.tasks), (task) => task.status, ["ok", "changed", "failed", "skipped"] as const);
  return {
    schema: "fleet-report/v1",
    mode: input.mode,
    playbook: input.playbook.file,
    startedAt: input.startedAt.toISOString(),
    finishedAt: input.finishedAt.toISOString(),
    interrupted: input.interrupted,
    ...(input.shard === undefined ? {} : { shard: { index: input.shard.index, count: input.shard.count } }),
    summary: {
      hosts: hosts.length,
      unreachable: hosts.filter((host) => host.status === "unreachable").length,
      // an unreachable host counts once, as unreachable, even with changes made before it went away
      changed: hosts.filter((host) => host.status !== "unreachable" && host.tasks.some((task) => task.status === "changed")).length,
      failed: hosts.filter((host) => host.status === "failed").length,
      tasks: taskCounts,
      controls: controlCounts,
      score: score(hosts.flatMap((host) => host.controls), catalogue),
    },
    hosts,
    controls: [...catalogue.values()],
  };
}

/** Every control the playbook's (selected) tasks name, in order of first use. */
export function controlCatalogue(playbook: Playbook, selected: (task: Task) => boolean = () => true): Map<string, ReportControl> {
  const catalogue = new Map<string, ReportControl>();
  for (const play of playbook.plays) {
    for (const task of [...play.tasks, ...play.handlers]) {
      if (task.control !== null && selected(task) && !catalogue.has(task.control.id)) catalogue.set(task.control.id, reportControl(task.control));
    }
  }
  return catalogue;
}

function reportControl(control: Control): ReportControl {
  return { id: control.id, title: control.title, severity: control.severity, scope: control.scope, remediation: control.remediation ?? "", section: control.section ?? null, rationale: control.rationale ?? null, fix: control.fix ?? null, fixVar: control.fixVar ?? null };
}

function reportHost(host: HostResult, catalogue: ReadonlyMap<string, ReportControl>, interrupted: boolean, groups: readonly string[]): ReportHost {
  const verdicts = new Map<string, ControlVerdict[]>();
  for (const task of host.tasks) if (task.verdict) verdicts.set(task.verdict.id, [...(verdicts.get(task.verdict.id) ?? []), task.verdict]);
  const notJudged = host.status === "unreachable" ? `not judged: host unreachable (${host.error ?? "no connection"})` : host.interrupted || interrupted ? "not judged: the run was interrupted" : `not judged: the host stopped before this control's task${host.error ? ` (${host.error})` : ""}`;
  const controls: ReportControlResult[] = [...catalogue.keys()].map((id) => combine(id, verdicts.get(id) ?? [], notJudged));
  return {
    name: host.host,
    cluster: host.cluster,
    groups: [...groups],
    status: host.status,
    error: host.error,
    interrupted: host.interrupted,
    execs: host.execs,
    durationMs: host.durationMs,
    tasks: host.tasks.map((task) => ({ name: task.name, module: task.module, control: task.control?.id ?? null, status: task.status, diff: task.diff, message: task.message, delegatedTo: task.delegatedTo })),
    controls,
  };
}

const RANK: Record<ControlStatus, number> = { error: 4, fail: 3, pass: 2, waived: 1, not_applicable: 0 };

/** Several tasks may judge one control: the worst verdict stands; n/a only when every task says so. */
function combine(id: string, verdicts: readonly ControlVerdict[], notJudged: string): ReportControlResult {
  if (verdicts.length === 0) return { id, status: "error", expected: null, actual: null, message: notJudged };
  const worst = verdicts.reduce((a, b) => (RANK[b.status] > RANK[a.status] ? b : a));
  return { id, status: worst.status, expected: worst.expected, actual: worst.actual, message: worst.message };
}

/** Severity-weighted share of judged controls that pass, 0..100; waived and not_applicable are left out. */
export function score(results: readonly ReportControlResult[], catalogue: ReadonlyMap<string, ReportControl>): number {
  let passed = 0;
  let judged = 0;
  for (const result of results) {
    if (result.status === "waived" || result.status === "not_applicable") continue;
    const weight = SEVERITY_WEIGHT[catalogue.get(result.id)?.severity ?? "medium"];
    judged += weight;
    if (result.status === "pass") passed += weight;
  }
  return judged === 0 ? 100 : Math.round((passed / judged) * 1000) / 10;
}

function countBy<T, K extends string>(items: readonly T[], key: (item: T) => K, keys: readonly K[]): Record<K, number> {
  const counts = Object.fromEntries(keys.map((name) => [name, 0])) as Record<K, number>;
  for (const item of items) counts[key(item)] += 1;
  return counts;
}

