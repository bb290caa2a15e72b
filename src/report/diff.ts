import type { ControlStatus } from "../engine/results.js";
import type { Severity } from "../playbook/types.js";
import type { FleetReport, ReportControl, ReportControlResult } from "./types.js";

/**
 * Drift between two reports, result by result (host × control, hosts compared by name):
 * - newlyFailing: fail or error now, and pass, waived, not_applicable or absent before;
 * - fixed: fail or error before, pass now;
 * - stillFailing: fail or error before and now;
 * - excused: fail or error before, waived or not_applicable now (no longer failing, not passing).
 * A result of a host or control only the old report has is in none of them: see hostsRemoved and
 * controlsRemoved. Every other change (pass → waived, n/a → pass...) is not drift.
 */
export const DIFF_CATEGORIES = ["newlyFailing", "fixed", "stillFailing", "excused"] as const;
export type DiffCategory = (typeof DIFF_CATEGORIES)[number];

export interface DiffChange {
  host: string;
  control: string;
  title: string;
  severity: Severity;
  /** null: the old report has no such result (new host or new control). */
  before: ControlStatus | null;
  after: ControlStatus;
  /** What was found: the new result's for newlyFailing and stillFailing, the old one's otherwise. */
  actual: string | null;
  message: string;
}

export interface DiffSide {
  playbook: string;
  mode: FleetReport["mode"];
  startedAt: string;
  finishedAt: string;
  hosts: number;
  score: number;
}

export interface ReportDiff {
  old: DiffSide;
  new: DiffSide;
  newlyFailing: DiffChange[];
  fixed: DiffChange[];
  stillFailing: DiffChange[];
  excused: DiffChange[];
  hostsAdded: string[];
  hostsRemoved: string[];
  controlsAdded: string[];
  controlsRemoved: string[];
  counts: Record<DiffCategory | "hostsAdded" | "hostsRemoved" | "controlsAdded" | "controlsRemoved", number>;
}

const failing = (status: ControlStatus | null): boolean => status === "fail" || status === "error";

function categoryOf(before: ControlStatus | null, after: ControlStatus): DiffCategory | undefined {
  if (failing(after)) return failing(before) ? "stillFailing" : "newlyFailing";
  if (!failing(before)) return undefined;
  return after === "pass" ? "fixed" : "excused";
}

/** The drift from `old` to `new`. Pure; entries are ordered by control (as the new report lists them), then host. */
export function diffReports(old: FleetReport, new_: FleetReport): ReportDiff {
  const oldHosts = new Map(old.hosts.map((host) => [host.name, host]));
  const newHostNames = new Set(new_.hosts.map((host) => host.name));
  const oldControls = new Map(old.controls.map((control) => [control.id, control]));
  const newControls = new Map(new_.controls.map((control) => [control.id, control]));
  const oldResults = new Map<string, ReportControlResult>();
  for (const host of old.hosts) for (const result of host.controls) oldResults.set(`${host.name}\u0000${result.id}`, result);

  const controlOrder = new Map<string, number>();
  for (const id of [...newControls.keys(), ...oldControls.keys()]) if (!controlOrder.has(id)) controlOrder.set(id, controlOrder.size);
  const changes: Record<DiffCategory, Array<DiffChange & { order: [number, number] }>> = { newlyFailing: [], fixed: [], stillFailing: [], excused: [] };

  new_.hosts.forEach((host, hostIndex) => {
    for (const result of host.controls) {
      const previous = oldHosts.has(host.name) ? oldResults.get(`${host.name}\u0000${result.id}`) : undefined;
      const before = previous?.status ?? null;
      const category = categoryOf(before, result.status);
      if (category === undefined) continue;
      const control: Pick<ReportControl, "title" | "severity"> = newControls.get(result.id) ?? oldControls.get(result.id) ?? { title: result.id, severity: "medium" };
      const shown = category === "newlyFailing" || category === "stillFailing" || previous === undefined ? result : previous;
      changes[category].push({
        host: host.name,
        control: result.id,
        title: control.title,
        severity: control.severity,
        before,
        after: result.status,
        actual: shown.actual,
        message: shown.message,
        order: [controlOrder.get(result.id) ?? controlOrder.size, hostIndex],
      });
    }
  });
  const sorted = (category: DiffCategory): DiffChange[] =>
    changes[category]
      .sort((a, b) => a.order[0] - b.order[0] || a.order[1] - b.order[1])
      .map(({ order: _order, ...change }) => change);

  const hostsAdded = new_.hosts.filter((host) => !oldHosts.has(host.name)).map((host) => host.name);
  const hostsRemoved = old.hosts.filter((host) => !newHostNames.has(host.name)).map((host) => host.name);
  const controlsAdded = [...newControls.keys()].filter((id) => !oldControls.has(id));
  const controlsRemoved = [...oldControls.keys()].filter((id) => !newControls.has(id));
  const diff = {
    old: side(old),
    new: side(new_),
    newlyFailing: sorted("newlyFailing"),
    fixed: sorted("fixed"),
    stillFailing: sorted("stillFailing"),
    excused: sorted("excused"),
    hostsAdded,
    hostsRemoved,
    controlsAdded,
    controlsRemoved,
  };
  return {
    ...diff,
    counts: {
      newlyFailing: diff.newlyFailing.length,
      fixed: diff.fixed.length,
      stillFailing: diff.stillFailing.length,
      excused: diff.excused.length,
      hostsAdded: hostsAdded.length,
      hostsRemoved: hostsRemoved.length,
      controlsAdded: controlsAdded.length,
      controlsRemoved: controlsRemoved.length,
    },
  };
}

function side(report: FleetReport): DiffSide {
  return { playbook: report.playbook, mode: report.mode, startedAt: report.startedAt, finishedAt: report.finishedAt, hosts: report.hosts.length, score: report.summary.score };
}

const TITLES: Record<DiffCategory, string> = { newlyFailing: "Newly failing", fixed: "Fixed", stillFailing: "Still failing", excused: "Excused (now waived or not applicable)" };

/** Whether anything got worse: a result newly failing. */
export function hasRegressions(diff: ReportDiff): boolean {
  return diff.counts.newlyFailing > 0;
}

function scoreChange(diff: ReportDiff): string {
  const delta = Math.round((diff.new.score - diff.old.score) * 10) / 10;
  return `${diff.old.score} → ${diff.new.score} (${delta > 0 ? "+" : delta < 0 ? "-" : "±"}${Math.abs(delta)})`;
}

function countsLine(diff: ReportDiff): string {
  return DIFF_CATEGORIES.map((category) => `${TITLES[category].replace(/ \(.*\)$/, "").toLowerCase()} ${diff.counts[category]}`).join(", ");
}

function names(list: readonly string[]): string {
  return list.length === 0 ? "none" : list.join(", ");
}

const statusText = (status: ControlStatus | null): string => status ?? "absent";

/** The diff as plain terminal text (no colours, no box drawing): a header, the counts, one aligned table per non-empty category. */
export function renderDiffTable(diff: ReportDiff): string {
  const lines: string[] = [];
  const playbook = diff.old.playbook === diff.new.playbook ? diff.new.playbook : `${diff.old.playbook} → ${diff.new.playbook}`;
  lines.push(`Drift of ${playbook}: ${diff.old.startedAt} → ${diff.new.startedAt}`);
  lines.push(`Score: ${scoreChange(diff)}`);
  lines.push(`Results: ${countsLine(diff)}`);
  lines.push(`Hosts added: ${names(diff.hostsAdded)}; removed: ${names(diff.hostsRemoved)}`);
  lines.push(`Controls added: ${names(diff.controlsAdded)}; removed: ${names(diff.controlsRemoved)}`);
  for (const category of DIFF_CATEGORIES) {
    const entries = diff[category];
    if (entries.length === 0) continue;
    lines.push("", `${TITLES[category]} (${entries.length})`);
    const rows = [["HOST", "CONTROL", "SEVERITY", "BEFORE", "AFTER", "TITLE"], ...entries.map((entry) => [entry.host, entry.control, entry.severity, statusText(entry.before), entry.after, oneLine(entry.title)])];
    // one push per row: spread as arguments, a diff of 100,000 results overflows the stack
    for (const row of alignColumns(rows)) lines.push(`  ${row}`);
  }
  if (DIFF_CATEGORIES.every((category) => diff[category].length === 0)) lines.push("", "Nothing fails in the new report, and nothing it holds failed before.");
  return `${lines.join("\n")}\n`;
}

function alignColumns(rows: readonly string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, index) => (widths[index] = Math.max(widths[index] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index] ?? 0))).join("  ").trimEnd());
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

function cell(text: string | null): string {
  return text === null || text === "" ? "—" : oneLine(text).replace(/\\/g, "\\\\").replace(/\|/g, "\\|");
}

/** The diff as Markdown: a summary table, the counts, one table per non-empty category. */
export function renderDiffMarkdown(diff: ReportDiff): string {
  const out: string[] = [];
  out.push(`# Drift of ${cell(diff.new.playbook)}`, "");
  out.push("| | old | new |", "| --- | --- | --- |");
  if (diff.old.playbook !== diff.new.playbook) out.push(`| playbook | ${cell(diff.old.playbook)} | ${cell(diff.new.playbook)} |`);
  out.push(`| started | ${diff.old.startedAt} | ${diff.new.startedAt} |`);
  out.push(`| hosts | ${diff.old.hosts} | ${diff.new.hosts} |`);
  out.push(`| score | ${diff.old.score} | ${diff.new.score} |`, "");
  out.push(`**${diff.counts.newlyFailing} newly failing**, ${diff.counts.fixed} fixed, ${diff.counts.stillFailing} still failing, ${diff.counts.excused} excused (now waived or not applicable). Score ${scoreChange(diff)}.`, "");
  out.push(`- Hosts added: ${names(diff.hostsAdded)}`, `- Hosts removed: ${names(diff.hostsRemoved)}`, `- Controls added: ${names(diff.controlsAdded)}`, `- Controls removed: ${names(diff.controlsRemoved)}`);
  for (const category of DIFF_CATEGORIES) {
    const entries = diff[category];
    if (entries.length === 0) continue;
    out.push("", `## ${TITLES[category]} (${entries.length})`, "", "| host | control | severity | before | after | title | found |", "| --- | --- | --- | --- | --- | --- | --- |");
    for (const entry of entries) {
      out.push(`| ${cell(entry.host)} | ${cell(entry.control)} | ${entry.severity} | ${statusText(entry.before)} | ${entry.after} | ${cell(entry.title)} | ${cell(entry.actual ?? entry.message)} |`);
    }
  }
  return `${out.join("\n")}\n`;
}
