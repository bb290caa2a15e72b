/** Wording shared by the trend renderers (terminal, Markdown, HTML), so that every format says the same. Pure. */
import type { DurationStats, TrendControl, TrendHost, TrendModel, TrendPoint, TrendState, TrendStreak } from "./trend.js";

/** `2026-12-03 04:40:08Z`: an ISO time, to the second, in UTC. */
export function formatTime(iso: string | null): string {
  if (iso === null || iso === "") return "—";
  const time = new Date(iso);
  if (!Number.isFinite(time.getTime())) return iso;
  return time.toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");
}

/** A duration in its two largest units: `3d 4h`, `2h 5m`, `12m 3s`, `45s`. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return "—";
  let seconds = Math.round(ms / 1000);
  const units: Array<[string, number]> = [
    ["d", 86_400],
    ["h", 3_600],
    ["m", 60],
    ["s", 1],
  ];
  const parts: Array<[number, string]> = [];
  for (const [label, size] of units) {
    const value = Math.floor(seconds / size);
    seconds -= value * size;
    if (value > 0 || parts.length > 0) parts.push([value, label]);
  }
  const shown = parts.slice(0, 2).filter(([value], index) => index === 0 || value > 0);
  return shown.length === 0 ? "0s" : shown.map(([value, label]) => `${value}${label}`).join(" ");
}

export function formatPercent(value: number | null): string {
  return value === null ? "—" : String(Math.round(value * 10) / 10);
}

export const STATE_LABEL: Record<TrendState, string> = { failing: "failing", passing: "passing", waived: "waived", not_applicable: "n/a" };

export function streakText(streak: TrendStreak | null): string {
  if (streak === null) return "—";
  return `${STATE_LABEL[streak.state]} × ${streak.reports}`;
}

/** `failing since …`, `fixed …` or —: when the current failure started, or when the last one was fixed. */
export function sinceText(entity: { failingSince: string | null; fixedAt: string | null }): string {
  if (entity.failingSince !== null) return `failing since ${formatTime(entity.failingSince)}`;
  if (entity.fixedAt !== null) return `fixed ${formatTime(entity.fixedAt)}`;
  return "—";
}

export function controlNow(control: TrendControl): string {
  if (!control.present) return "removed";
  if (control.failingHosts.length > 0) return `failing on ${control.failingHosts.length}`;
  return control.state === null ? "not judged" : STATE_LABEL[control.state];
}

export function hostNow(host: TrendHost): string {
  if (!host.present) return "removed";
  if (host.failingControls.length > 0) return `failing ${host.failingControls.length}`;
  return host.state === null ? "not judged" : STATE_LABEL[host.state];
}

/** Time to remediate: mean, median and max of the fail → pass durations (— with none). */
export function remediationCells(stats: DurationStats): [string, string, string] {
  return [formatDuration(stats.meanMs), formatDuration(stats.medianMs), formatDuration(stats.maxMs)];
}

const plural = (count: number, word: string, words = `${word}s`): string => `${count} ${count === 1 ? word : words}`;

export const intervalText = (value: number | null): string => (value === null ? "—" : String(value));

/** Notes of a report row: interrupted, hosts added and removed since the report before. */
export function pointNote(point: TrendPoint, names: (list: readonly string[]) => string): string {
  const notes: string[] = [];
  if (point.interrupted) notes.push("interrupted: a gap");
  if (point.hostsAdded.length > 0) notes.push(`hosts added: ${names(point.hostsAdded)}`);
  if (point.hostsRemoved.length > 0) notes.push(`hosts removed: ${names(point.hostsRemoved)}`);
  return notes.join("; ");
}

/** The lines above the tables: what the history covers, and its totals. */
export function headline(model: TrendModel): { title: string; range: string; totals: string; remediation: string } {
  const first = model.points[0];
  const last = model.points.at(-1);
  const { totals } = model;
  const filters = [model.filter.control === null ? "" : `control ${model.filter.control}`, model.filter.host === null ? "" : `host ${model.filter.host}`].filter(Boolean);
  const title = `Compliance trend of ${model.playbooks.join(", ") || "—"}${filters.length > 0 ? ` (${filters.join(", ")})` : ""}`;
  const extra = [totals.interrupted > 0 ? `${totals.interrupted} interrupted (gaps)` : "", model.skipped.length > 0 ? `${model.skipped.length} shard reports left out` : ""].filter(Boolean);
  const range = `${totals.reports} report${totals.reports === 1 ? "" : "s"} from ${formatTime(first?.startedAt ?? null)} to ${formatTime(last?.startedAt ?? null)}${extra.length > 0 ? `, ${extra.join(", ")}` : ""}; score ${first?.score ?? "—"} → ${last?.score ?? "—"}`;
  const counts = `${plural(totals.regressions, "regression")}, ${plural(totals.fixes, "fix", "fixes")}, ${plural(totals.newFailures, "new failure")}; ${plural(totals.failingNow, "result")} failing now, ${plural(totals.open, "failure")} not fixed`;
  const stats = totals.remediation;
  const remediation = stats.count === 0 ? "Time to remediate: no failure fixed yet" : `Time to remediate (${stats.count} fixed): mean ${formatDuration(stats.meanMs)}, median ${formatDuration(stats.medianMs)}, max ${formatDuration(stats.maxMs)}`;
  return { title, range, totals: counts, remediation };
}

export const POINT_HEAD = ["#", "started", "score", "pass %", "pass", "fail", "error", "waived", "n/a", "hosts", "regressions", "fixes", "new failures", "note"] as const;
export const CONTROL_HEAD = ["control", "severity", "now", "since", "streak", "regressions", "fixes", "mean to fix", "median to fix", "max to fix"] as const;
export const HOST_HEAD = ["host", "now", "since", "streak", "regressions", "fixes", "mean to fix", "median to fix", "max to fix", "seen"] as const;
