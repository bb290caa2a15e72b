import type { ControlStatus } from "../engine/results.js";
import type { Severity } from "../playbook/types.js";
import { score } from "./build.js";
import type { FleetReport, ReportControl, ReportControlResult, ReportHost } from "./types.js";

export type StatusCounts = Record<ControlStatus, number>;

export const CONTROL_STATUSES: readonly ControlStatus[] = ["pass", "fail", "error", "waived", "not_applicable"];
export const SEVERITIES: readonly Severity[] = ["critical", "high", "medium", "low"];

/**
 * Everything a renderer shows, derived from a fleet-report/v1 document and nothing else, so every
 * format (terminal, Markdown, HTML, JUnit) says the same thing. Pure.
 */
export interface ReportModel {
  report: FleetReport;
  /** compliant: every judged control passed or was waived; incomplete: nothing failed, but errors or unreachable hosts left controls unjudged. */
  verdict: "compliant" | "non-compliant" | "incomplete";
  score: number;
  counts: StatusCounts;
  bySeverity: Record<Severity, StatusCounts>;
  controls: ControlView[];
  hosts: HostView[];
  clusters: ClusterView[];
  /** The matrix: result of a control on a host. */
  cell(host: string, control: string): ReportControlResult | undefined;
}

export interface ControlView extends ReportControl {
  counts: StatusCounts;
  /** Hosts where it failed or erred, with what was found there. */
  failing: Array<{ host: string; status: "fail" | "error"; actual: string | null; message: string }>;
}

export interface HostView {
  host: ReportHost;
  score: number;
  counts: StatusCounts;
}

export interface ClusterView {
  name: string;
  hosts: string[];
  score: number;
  counts: StatusCounts;
}

export const emptyCounts = (): StatusCounts => ({ pass: 0, fail: 0, error: 0, waived: 0, not_applicable: 0 });

function countsOf(results: readonly ReportControlResult[]): StatusCounts {
  const counts = emptyCounts();
  for (const result of results) counts[result.status] += 1;
  return counts;
}

export function reportModel(report: FleetReport): ReportModel {
  const catalogue = new Map(report.controls.map((control) => [control.id, control]));
  const all = report.hosts.flatMap((host) => host.controls);
  const cells = new Map<string, ReportControlResult>();
  for (const host of report.hosts) for (const result of host.controls) cells.set(`${host.name}\u0000${result.id}`, result);

  const bySeverity = Object.fromEntries(SEVERITIES.map((severity) => [severity, emptyCounts()])) as Record<Severity, StatusCounts>;
  for (const result of all) bySeverity[catalogue.get(result.id)?.severity ?? "medium"][result.status] += 1;

  const controls: ControlView[] = report.controls.map((control) => {
    const results = report.hosts.map((host) => ({ host, result: cells.get(`${host.name}\u0000${control.id}`) }));
    const failing = results.flatMap(({ host, result }) => (result && (result.status === "fail" || result.status === "error") ? [{ host: host.name, status: result.status, actual: result.actual, message: result.message }] : []));
    return { ...control, counts: countsOf(results.flatMap(({ result }) => (result ? [result] : []))), failing };
  });

  const hosts: HostView[] = report.hosts.map((host) => ({ host, score: score(host.controls, catalogue), counts: countsOf(host.controls) }));
  const clusterNames = [...new Set(report.hosts.flatMap((host) => (host.cluster === null ? [] : [host.cluster])))].sort();
  const clusters: ClusterView[] = clusterNames.map((name) => {
    const members = report.hosts.filter((host) => host.cluster === name);
    const results = members.flatMap((host) => host.controls);
    return { name, hosts: members.map((host) => host.name), score: score(results, catalogue), counts: countsOf(results) };
  });

  const counts = countsOf(all);
  const verdict = counts.fail > 0 ? "non-compliant" : counts.error > 0 || report.summary.unreachable > 0 ? "incomplete" : "compliant";
  return { report, verdict, score: score(all, catalogue), counts, bySeverity, controls, hosts, clusters, cell: (host, control) => cells.get(`${host}\u0000${control}`) };
}
