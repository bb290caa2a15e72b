/** A fleet report as GitHub-flavoured Markdown, through templates/report.md.hbs. Pure (the template is read once). */
import { readFileSync } from "node:fs";
import Handlebars from "handlebars";
import { DIFF_CATEGORIES, renderDiffMarkdown, type DiffCategory, type DiffChange, type ReportDiff } from "./diff.js";
import { reportModel, SEVERITIES, type ControlView, type ReportModel, type StatusCounts } from "./model.js";
import { htmlText, mdBlock, mdCode, mdProse, mdText } from "./render-common-markdown.js";
import { formatScore, nameList, oneLine, shorten, totalOf } from "./render-common-text.js";
import type { FleetReport } from "./types.js";

export interface MarkdownOptions {
  /** Host names listed in one table cell before "+N more" (default 10). */
  hostsPerCell?: number;
  /** Rows (distinct results) per failing control before the rest are summed up (default 10). */
  groupsPerControl?: number;
  /** Longest message shown in a failing control's table; the host details show it whole (default 200). */
  messageWidth?: number;
  /** Rows per category of the drift section (newly failing, fixed...) before the rest are counted (default 10). */
  driftRows?: number;
}

/** The template, beside src/ and dist/: both are two levels below the package root. */
export const MARKDOWN_TEMPLATE = new URL("../../templates/report.md.hbs", import.meta.url);

// A private handlebars environment with only our helpers; nothing is HTML-escaped (noEscape):
// every value from a host goes through one of these.
const env = Handlebars.create();
const str = (value: unknown): string => (typeof value === "string" ? value : value === null || value === undefined ? "" : String(value));
const nullable = (value: unknown): string | null => (value === null || value === undefined ? null : str(value));
env.registerHelper("text", (value: unknown) => mdText(str(value)));
env.registerHelper("code", (value: unknown) => mdCode(nullable(value), { inTable: false }));
env.registerHelper("codecell", (value: unknown) => mdCode(nullable(value), { inTable: true }));
env.registerHelper("block", (value: unknown, indent: unknown) => mdBlock(nullable(value), str(indent)));
env.registerHelper("prose", (value: unknown, indent: unknown) => mdProse(str(value), str(indent)));
env.registerHelper("html", (value: unknown) => htmlText(str(value)));

let compiled: HandlebarsTemplateDelegate<MarkdownView> | undefined;
function template(): HandlebarsTemplateDelegate<MarkdownView> {
  compiled ??= env.compile<MarkdownView>(readFileSync(MARKDOWN_TEMPLATE, "utf8"), { noEscape: true, strict: true });
  return compiled;
}

interface Counts {
  pass: number;
  fail: number;
  error: number;
  waived: number;
  na: number;
}

/** What the template sees: raw strings (the template escapes them) and numbers. */
export interface MarkdownView {
  mode: string;
  modeNote: string;
  playbook: string;
  date: string;
  started: string;
  took: string;
  verdict: { icon: string; label: string };
  score: string;
  hostCount: number;
  unreachableCount: number;
  controlCount: number;
  resultCount: number;
  interrupted: boolean;
  unreachable: string;
  /** The drift section, Markdown already (see driftSection); null without a drift. */
  drift: string | null;
  countRows: Array<Counts & { label: string; total: number }>;
  controls: Array<Counts & { id: string; title: string; severity: string; failingHosts: number }>;
  failing: Array<{
    id: string;
    title: string;
    severity: string;
    /** `fails on 3 of 5 hosts`, `fails on 3 and errs on 1 of 5 hosts`. */
    where: string;
    remediation: string;
    groups: Array<{ status: string; count: number; hosts: string; expected: string | null; actual: string | null; message: string }>;
    more: { hosts: number; groups: number } | null;
  }>;
  clusters: Array<Counts & { name: string; count: number; hosts: string; score: string }>;
  hosts: Array<{
    name: string;
    cluster: string | null;
    status: string;
    hostError: string | null;
    /** Unreachable: how many controls were not judged (listed once, not control by control). */
    notJudged: number;
    score: string;
    pass: number;
    fail: number;
    error: number;
    waivedCount: number;
    na: number;
    problems: Array<{ id: string; title: string; severity: string; status: string; expected: string | null; actual: string | null; message: string }>;
    waived: Array<{ id: string; title: string; severity: string; justification: string; expires: string | null }>;
  }>;
}

const counts = (of: StatusCounts): Counts => ({ pass: of.pass, fail: of.fail, error: of.error, waived: of.waived, na: of.not_applicable });

const VERDICT = { compliant: { icon: "✅", label: "Compliant" }, "non-compliant": { icon: "❌", label: "Non-compliant" }, incomplete: { icon: "⚠️", label: "Incomplete" } } as const;

/** `2026-12-02 20:44:01 UTC` from an ISO timestamp (as written, when it is not one). */
function when(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

function took(startedAt: string, finishedAt: string): string {
  const ms = new Date(finishedAt).getTime() - new Date(startedAt).getTime();
  if (!Number.isFinite(ms) || ms < 0) return "?";
  return ms < 60_000 ? `${Math.round(ms / 100) / 10} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** A failing control's hosts grouped by what was found (status, expected, actual): at 1,000 hosts one row says it. */
function failingGroups(model: ReportModel, control: ControlView, options: Required<MarkdownOptions>): MarkdownView["failing"][number] {
  const groups = new Map<string, { status: string; hosts: string[]; expected: string | null; actual: string | null; messages: Set<string>; message: string }>();
  for (const entry of control.failing) {
    const expected = model.cell(entry.host, control.id)?.expected ?? null;
    const key = JSON.stringify([entry.status, expected, entry.actual]);
    const group = groups.get(key) ?? { status: entry.status, hosts: [], expected, actual: entry.actual, messages: new Set<string>(), message: entry.message };
    group.hosts.push(entry.host);
    group.messages.add(entry.message);
    groups.set(key, group);
  }
  const sorted = [...groups.values()].sort((a, b) => b.hosts.length - a.hosts.length);
  const shown = sorted.slice(0, options.groupsPerControl);
  const rest = sorted.slice(options.groupsPerControl);
  return {
    id: control.id,
    title: control.title,
    severity: control.severity,
    where: [control.counts.fail > 0 ? `fails on ${control.counts.fail}` : "", control.counts.error > 0 ? `errs on ${control.counts.error}` : ""].filter(Boolean).join(" and ") + ` of ${model.hosts.length} hosts`,
    remediation: control.remediation,
    groups: shown.map((group) => ({
      status: group.status,
      count: group.hosts.length,
      hosts: nameList(group.hosts.map(oneLine), options.hostsPerCell),
      expected: group.expected,
      actual: group.actual,
      message: `${group.messages.size > 1 ? "e.g. " : ""}${shorten(group.message, options.messageWidth)}`,
    })),
    more: rest.length === 0 ? null : { hosts: rest.reduce((sum, group) => sum + group.hosts.length, 0), groups: rest.length },
  };
}

// Strings in the drift section are made safe before renderDiffMarkdown sees them, which escapes
// only `\` and `|` in some of them: one line, control characters removed, and every character with
// a meaning in GFM (or GitHub's `$` maths) as a numeric character reference, which shows as the
// character and starts nothing. No backslash or pipe is left for it to escape.
// (`_` between letters or digits, as in not_applicable, cannot start emphasis: it stays.)
const DRIFT_SPECIAL = /[\\`*_[\]<>|~&#!$]/g;
const WORD_CHAR = /[\p{L}\p{N}]/u;
function driftText(text: string): string {
  const line = oneLine(text);
  return line.replace(DRIFT_SPECIAL, (char: string, offset: number) => (char === "_" && WORD_CHAR.test(line.charAt(offset - 1)) && WORD_CHAR.test(line.charAt(offset + 1)) ? char : `&#${char.charCodeAt(0)};`));
}

/** A list of names for the drift section: at most `shown`, then "+N more" (as the last name). */
function driftNames(names: readonly string[], shown: number): string[] {
  const head = names.slice(0, shown).map(driftText);
  return names.length > shown ? [...head, `+${names.length - shown} more`] : head;
}

/**
 * The "## Drift since …" section: renderDiffMarkdown's summary and tables, one heading level down,
 * under a heading of its own; its strings made safe first (driftText), each category's table cut
 * at `driftRows` rows and the host and control lists at `hostsPerCell` names (the counts are the
 * diff's own), so that it stays short at 1,000 hosts. No trailing line break.
 */
export function driftSection(diff: ReportDiff, options: Required<MarkdownOptions>): string {
  // Severities and statuses are names of our own (loadReport checks them), made safe all the same.
  const change = (entry: DiffChange): DiffChange => ({
    host: driftText(entry.host),
    control: driftText(entry.control),
    title: driftText(shorten(entry.title, options.messageWidth)),
    severity: driftText(entry.severity) as DiffChange["severity"],
    before: entry.before === null ? null : (driftText(entry.before) as DiffChange["before"]),
    after: driftText(entry.after) as DiffChange["after"],
    actual: entry.actual === null ? null : driftText(shorten(entry.actual, options.messageWidth)),
    message: driftText(shorten(entry.message, options.messageWidth)),
  });
  const side = (of: ReportDiff["old"]): ReportDiff["old"] => ({ ...of, playbook: driftText(of.playbook), mode: driftText(of.mode) as ReportDiff["old"]["mode"], startedAt: driftText(of.startedAt), finishedAt: driftText(of.finishedAt) });
  const cut = (entries: readonly DiffChange[]): DiffChange[] => entries.slice(0, options.driftRows).map(change);
  const shown: ReportDiff = {
    old: side(diff.old),
    new: side(diff.new),
    newlyFailing: cut(diff.newlyFailing),
    fixed: cut(diff.fixed),
    stillFailing: cut(diff.stillFailing),
    excused: cut(diff.excused),
    hostsAdded: driftNames(diff.hostsAdded, options.hostsPerCell),
    hostsRemoved: driftNames(diff.hostsRemoved, options.hostsPerCell),
    controlsAdded: driftNames(diff.controlsAdded, options.hostsPerCell),
    controlsRemoved: driftNames(diff.controlsRemoved, options.hostsPerCell),
    counts: diff.counts,
  };
  // renderDiffMarkdown: "# Drift of …", then its summary, then per non-empty category (in
  // DIFF_CATEGORIES order) "## Title (n)", a blank line, the header and separator, n rows.
  const lines = renderDiffMarkdown(shown).trimEnd().split("\n");
  const categories = DIFF_CATEGORIES.filter((category) => shown[category].length > 0);
  const out: string[] = [`## Drift since ${driftText(when(diff.old.finishedAt))}`];
  let category: DiffCategory | undefined;
  for (const [index, line] of lines.entries()) {
    if (index === 0) continue;
    if (line.startsWith("## ")) {
      if (category !== undefined) out.push(...moreRow(diff, category, options.driftRows));
      category = categories.shift();
      out.push(`#${line}`.replace(/\((\d+)\)$/, (whole) => (category === undefined ? whole : `(${diff[category].length})`)));
      continue;
    }
    out.push(line);
  }
  if (category !== undefined) out.push(...moreRow(diff, category, options.driftRows));
  return out.join("\n");
}

/** The last row of a category's table when it was cut: how many more results, and where to see them. */
function moreRow(diff: ReportDiff, category: DiffCategory, rows: number): string[] {
  const more = diff[category].length - rows;
  return more > 0 ? [`| … | ${more} more results (\`fleet report diff\` lists them all) | | | | | |`] : [];
}

/** The template's view of the report model. Exported for tests. */
export function markdownView(model: ReportModel, options: MarkdownOptions & { drift?: ReportDiff } = {}): MarkdownView {
  const settings: Required<MarkdownOptions> = {
    hostsPerCell: options.hostsPerCell ?? 10,
    groupsPerControl: options.groupsPerControl ?? 10,
    messageWidth: options.messageWidth ?? 200,
    driftRows: Math.max(0, options.driftRows ?? 10),
  };
  const { report } = model;
  const catalogue = new Map(model.controls.map((control) => [control.id, control]));
  const severityOrder = (control: ControlView): number => SEVERITIES.indexOf(control.severity);
  const unreachable = model.hosts.filter((view) => view.host.status === "unreachable").map((view) => oneLine(view.host.name));
  return {
    mode: report.mode,
    modeNote: report.mode === "audit" ? "check only, nothing was changed" : "controls as they are after the run",
    playbook: report.playbook,
    date: when(report.startedAt).slice(0, 10),
    started: when(report.startedAt),
    took: took(report.startedAt, report.finishedAt),
    verdict: VERDICT[model.verdict],
    score: formatScore(model.score),
    hostCount: model.hosts.length,
    unreachableCount: unreachable.length,
    controlCount: model.controls.length,
    resultCount: totalOf(model.counts),
    interrupted: report.interrupted,
    unreachable: nameList(unreachable, settings.hostsPerCell),
    drift: options.drift === undefined ? null : driftSection(options.drift, settings),
    countRows: [{ label: "**all**", ...counts(model.counts), total: totalOf(model.counts) }, ...SEVERITIES.map((severity) => ({ label: severity, ...counts(model.bySeverity[severity]), total: totalOf(model.bySeverity[severity]) }))],
    controls: model.controls.map((control) => ({ id: control.id, title: control.title, severity: control.severity, ...counts(control.counts), failingHosts: control.failing.length })),
    failing: model.controls
      .filter((control) => control.failing.length > 0)
      .sort((a, b) => severityOrder(a) - severityOrder(b))
      .map((control) => failingGroups(model, control, settings)),
    clusters: model.clusters.map((cluster) => ({ name: cluster.name, count: cluster.hosts.length, hosts: nameList(cluster.hosts.map(oneLine), settings.hostsPerCell), score: formatScore(cluster.score), ...counts(cluster.counts) })),
    hosts: model.hosts.map((view) => ({
      name: view.host.name,
      cluster: view.host.cluster,
      status: view.host.status,
      hostError: view.host.error,
      score: formatScore(view.score),
      pass: view.counts.pass,
      fail: view.counts.fail,
      error: view.counts.error,
      waivedCount: view.counts.waived,
      na: view.counts.not_applicable,
      notJudged: view.host.status === "unreachable" ? view.counts.error : 0,
      problems: view.host.controls
        .filter((result) => result.status === "fail" || (result.status === "error" && view.host.status !== "unreachable"))
        .map((result) => ({ id: result.id, title: catalogue.get(result.id)?.title ?? "", severity: catalogue.get(result.id)?.severity ?? "medium", status: result.status, expected: result.expected, actual: result.actual, message: result.message })),
      waived: view.host.controls
        .filter((result) => result.status === "waived")
        .map((result) => ({ id: result.id, title: catalogue.get(result.id)?.title ?? "", severity: catalogue.get(result.id)?.severity ?? "medium", justification: result.waiver?.justification ?? "(no justification recorded)", expires: result.waiver?.expires ?? null })),
    })),
  };
}

/**
 * The report as GitHub-flavoured Markdown: title (playbook, mode, date), verdict and score, counts
 * by status and severity, with `options.drift` the drift since an earlier report, the controls table, a section per failing control (its hosts grouped by
 * what was found), the clusters, and a <details> block per host with its failing, erring and
 * waived controls. Host lists in tables are capped, so it stays readable at 1,000 hosts.
 * `options.drift` is the drift since an earlier report (diffReports(old, report)): a "## Drift
 * since …" section after the summary (driftSection). Without it the document is exactly as before.
 */
export function renderMarkdown(report: FleetReport, options: MarkdownOptions & { drift?: ReportDiff } = {}): string {
  return template()(markdownView(reportModel(report), options));
}
