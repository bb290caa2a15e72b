/** The terminal summary of a fleet report: a table per control (and per host with -v), the verdict, the score. Pure. */
import Table from "cli-table3";
import type { Severity } from "../playbook/types.js";
import { reportModel, SEVERITIES, type ReportModel, type StatusCounts } from "./model.js";
import { formatCounts, formatScore, nameList, oneLine, shorten, STATUS_COLUMNS } from "./render-common-text.js";
import type { FleetReport } from "./types.js";

export interface SummaryTableOptions {
  /** ANSI colours; the caller decides (a TTY and no NO_COLOR). */
  color: boolean;
  /** Failing hosts named per control before "+N more" (default 3). */
  hostsShown?: number;
  /** Longest control title shown (default 40 characters). */
  titleWidth?: number;
}

export interface HostTableOptions {
  color?: boolean;
}

type Paint = (style: Style, text: string) => string;
type Style = "bold" | "dim" | "red" | "green" | "yellow" | "magenta" | "cyan" | "boldRed";
const SGR: Record<Style, string> = { bold: "1", dim: "2", red: "31", green: "32", yellow: "33", magenta: "35", cyan: "36", boldRed: "1;31" };
const painter = (color: boolean): Paint => (color ? (style, text) => (text === "" ? text : `\u001B[${SGR[style]}m${text}\u001B[0m`) : (_style, text) => text);

const SEVERITY_STYLE: Record<Severity, Style> = { critical: "boldRed", high: "red", medium: "yellow", low: "dim" };
const VERDICT_STYLE: Record<ReportModel["verdict"], Style> = { compliant: "green", "non-compliant": "boldRed", incomplete: "yellow" };

/** cli-table3 with our own colours only (its style colours would consult the environment). */
function table(head: string[], paint: Paint, align: Array<"left" | "right">): Table.Table {
  return new Table({ head: head.map((label) => paint("bold", label)), style: { head: [], border: [], compact: true }, colAligns: align });
}

/** A count, coloured when it is a problem (fail red, error magenta) and not zero. */
function countCell(status: (typeof STATUS_COLUMNS)[number]["status"], value: number, paint: Paint): string {
  const text = String(value);
  if (value === 0) return paint("dim", text);
  return status === "fail" ? paint("red", text) : status === "error" ? paint("magenta", text) : text;
}

/**
 * One row per control: id, title (shortened), severity, pass, fail, error, waived, n/a and the
 * hosts where it failed or erred (the first few, then "+N more"); then the verdict, the score
 * and the counts by severity.
 */
export function renderSummaryTable(report: FleetReport, options: SummaryTableOptions): string {
  const model = reportModel(report);
  const paint = painter(options.color);
  const hostsShown = options.hostsShown ?? 3;
  const titleWidth = options.titleWidth ?? 40;
  const rows = table(
    ["control", "title", "severity", ...STATUS_COLUMNS.map(({ label }) => label), "failing hosts"],
    paint,
    ["left", "left", "left", "right", "right", "right", "right", "right", "left"],
  );
  for (const control of model.controls) {
    rows.push([
      oneLine(control.id),
      shorten(control.title, titleWidth),
      paint(SEVERITY_STYLE[control.severity], control.severity),
      ...STATUS_COLUMNS.map(({ status }) => countCell(status, control.counts[status], paint)),
      nameList(control.failing.map((entry) => oneLine(entry.host)), hostsShown),
    ]);
  }
  return `${rows.toString()}\n${verdictLine(model, paint)}\n${severityLine(model)}\n`;
}

/** `Verdict: non-compliant · score 76.3 · 5 hosts (0 unreachable) · 180 results: 108 pass, 30 fail, …` */
function verdictLine(model: ReportModel, paint: Paint): string {
  const { summary } = model.report;
  const interrupted = model.report.interrupted ? ` · ${paint("yellow", "interrupted")}` : "";
  const results = STATUS_COLUMNS.reduce((sum, { status }) => sum + model.counts[status], 0);
  return `Verdict: ${paint(VERDICT_STYLE[model.verdict], model.verdict)} · score ${paint("bold", formatScore(model.score))} · ${model.hosts.length} hosts (${summary.unreachable} unreachable) · ${results} results: ${formatCounts(model.counts)}${interrupted}`;
}

/** `By severity: critical 10 pass, 2 fail · high … · medium none · low …` (statuses with a count only). */
function severityLine(model: ReportModel): string {
  const part = (severity: Severity): string => {
    const counts: StatusCounts = model.bySeverity[severity];
    const shown = STATUS_COLUMNS.filter(({ status }) => counts[status] > 0).map(({ status, label }) => `${counts[status]} ${label}`);
    return `${severity} ${shown.length > 0 ? shown.join(", ") : "none"}`;
  };
  return `By severity: ${SEVERITIES.map(part).join(" · ")}`;
}

/** For -v: one row per host with its cluster, status, score and counts. */
export function renderHostTable(report: FleetReport, options: HostTableOptions = {}): string {
  const model = reportModel(report);
  const paint = painter(options.color ?? false);
  const rows = table(
    ["host", "cluster", "status", "score", ...STATUS_COLUMNS.map(({ label }) => label)],
    paint,
    ["left", "left", "left", "right", "right", "right", "right", "right", "right"],
  );
  for (const view of model.hosts) {
    const status = view.host.status === "unreachable" || view.host.status === "failed" ? paint("red", view.host.status) : oneLine(view.host.status);
    rows.push([oneLine(view.host.name), oneLine(view.host.cluster ?? "—"), status, formatScore(view.score), ...STATUS_COLUMNS.map(({ status: column }) => countCell(column, view.counts[column], paint))]);
  }
  return `${rows.toString()}\n`;
}
