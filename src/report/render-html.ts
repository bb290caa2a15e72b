import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import Handlebars from "handlebars";
import type { Severity } from "../playbook/types.js";
import type { ReportDiff } from "./diff.js";
import { CONTROL_STATUSES, reportModel, SEVERITIES, type StatusCounts } from "./model.js";
import { nameList } from "./render-common-text.js";
import { htmlDriftData, htmlReportData, scriptSafeJson, STATUS_INFO } from "./render-html-data.js";
import type { FleetReport } from "./types.js";

export interface HtmlOptions {
  /**
   * The drift since an earlier report (diffReports(old, report)): a "Drift since …" section near
   * the top with the counts of every category and the newly failing and fixed results (each opens
   * its cell), and those cells marked in the matrix. Without it the page is exactly as before.
   */
  drift?: ReportDiff;
}

/**
 * The HTML report: one self-contained file (inline CSS, inline script, the data as one JSON blob)
 * that opens offline and asks the network for nothing. The page shell (verdict, score, counts) is
 * templates/report.html.hbs, rendered by handlebars with its normal HTML escaping, so the summary
 * reads without JavaScript; the script (templates/report-html-app.js) builds the host × control
 * matrix, the filters and the per-control and per-host views from the data, drawing only the rows
 * in view. A Content-Security-Policy allows only this page's own script and style (by hash): no
 * request of any kind, no eval. With `options.drift`, the page also shows the drift since an earlier
 * report; the parts of the script and style only that needs are left out of a page without it.
 */
export function renderHtml(report: FleetReport, options: HtmlOptions = {}): string {
  const { drift } = options;
  const { page, plain, withDrift } = templates();
  const { css, js } = drift === undefined ? plain : withDrift;
  const model = reportModel(report);
  const blob = htmlReportData(model);
  if (drift !== undefined) blob.drift = htmlDriftData(model, drift);
  const data = scriptSafeJson(blob);
  const csp = ["default-src 'none'", `script-src '${sha256(js)}'`, `style-src '${sha256(css)}'`, "img-src 'none'", "base-uri 'none'", "form-action 'none'"].join("; ");
  const started = Date.parse(report.startedAt);
  const finished = Date.parse(report.finishedAt);
  return page({
    csp,
    css,
    js,
    data,
    playbook: report.playbook,
    mode: report.mode,
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    duration: Number.isFinite(started) && Number.isFinite(finished) ? formatDuration(finished - started) : "",
    interrupted: report.interrupted,
    verdict: model.verdict,
    verdictLabel: VERDICT_LABEL[model.verdict],
    verdictSymbol: VERDICT_SYMBOL[model.verdict],
    score: formatScore(model.score),
    hosts: report.hosts.length,
    unreachable: report.summary.unreachable,
    controls: report.controls.length,
    results: CONTROL_STATUSES.reduce((sum, status) => sum + model.counts[status], 0),
    statuses: CONTROL_STATUSES.map((status) => ({ ...STATUS_INFO[status], count: model.counts[status] })),
    severities: SEVERITIES.map((severity: Severity) => ({ severity, counts: countList(model.bySeverity[severity]), total: total(model.bySeverity[severity]) })),
    clustersOpen: model.clusters.length <= 12,
    clusters: model.clusters.map((cluster) => ({ name: cluster.name, hosts: cluster.hosts.length, score: formatScore(cluster.score), counts: countList(cluster.counts) })),
    drift: drift === undefined ? null : driftView(drift),
  });
}

interface DriftView {
  since: string;
  oldPlaybook: string;
  otherPlaybook: boolean;
  oldStartedAt: string;
  oldHosts: number;
  score: string;
  regressions: boolean;
  rows: Array<{ kind: string; symbol: string; label: string; note: string; count: string }>;
}

/** Names in a row of the drift counts: at most ten, then "+N more". */
const DRIFT_NAMES = 10;

function addedRemoved(added: readonly string[], removed: readonly string[], none: string): string {
  const parts = [added.length > 0 ? `added: ${nameList(added, DRIFT_NAMES)}` : "", removed.length > 0 ? `removed: ${nameList(removed, DRIFT_NAMES)}` : ""].filter(Boolean);
  return parts.length === 0 ? none : parts.join("; ");
}

/** What the page shell shows of a drift (handlebars escapes the strings): the counts, readable without script. */
function driftView(drift: ReportDiff): DriftView {
  const { counts } = drift;
  const delta = Math.round((drift.new.score - drift.old.score) * 10) / 10;
  return {
    since: drift.old.finishedAt,
    oldPlaybook: drift.old.playbook,
    otherPlaybook: drift.old.playbook !== drift.new.playbook,
    oldStartedAt: drift.old.startedAt,
    oldHosts: drift.old.hosts,
    score: `${formatScore(drift.old.score)} → ${formatScore(drift.new.score)} (${delta > 0 ? "+" : delta < 0 ? "−" : "±"}${Math.abs(delta).toFixed(1)})`,
    regressions: counts.newlyFailing > 0,
    rows: [
      { kind: "new", symbol: "▲", label: "Newly failing", note: "fail or error now; passing, waived, not applicable or absent before", count: String(counts.newlyFailing) },
      { kind: "fixed", symbol: "▼", label: "Fixed", note: "failing or erring before, passing now", count: String(counts.fixed) },
      { kind: "still", symbol: "", label: "Still failing", note: "failing or erring before and now", count: String(counts.stillFailing) },
      { kind: "excused", symbol: "", label: "Excused", note: "failing or erring before, waived or not applicable now", count: String(counts.excused) },
      { kind: "hosts", symbol: "", label: "Hosts added / removed", note: addedRemoved(drift.hostsAdded, drift.hostsRemoved, "none (hosts are compared by name)"), count: `${counts.hostsAdded} / ${counts.hostsRemoved}` },
      { kind: "controls", symbol: "", label: "Controls added / removed", note: addedRemoved(drift.controlsAdded, drift.controlsRemoved, "none"), count: `${counts.controlsAdded} / ${counts.controlsRemoved}` },
    ],
  };
}

const VERDICT_LABEL = { compliant: "Compliant", "non-compliant": "Non-compliant", incomplete: "Incomplete" } as const;
const VERDICT_SYMBOL = { compliant: "✓", "non-compliant": "✗", incomplete: "?" } as const;

interface Inlined {
  css: string;
  js: string;
}

interface Templates {
  page: Handlebars.TemplateDelegate;
  /** The style and script of a page without drift: their drift parts left out. */
  plain: Inlined;
  /** The style and script of a page with drift: every part, without the marker lines. */
  withDrift: Inlined;
}

let loaded: Templates | undefined;

// The parts of the style and the script only a page with drift needs are between marker lines,
// `/* drift:begin */` … `/* drift:end */` in the CSS and `// drift:begin` … `// drift:end` in the
// script (each alone on its line, indented or not).
const CSS_DRIFT_PART = /^[ \t]*\/\* drift:begin \*\/\n[\s\S]*?^[ \t]*\/\* drift:end \*\/\n/gm;
const CSS_DRIFT_MARKER = /^[ \t]*\/\* drift:(?:begin|end) \*\/\n/gm;
const JS_DRIFT_PART = /^[ \t]*\/\/ drift:begin\n[\s\S]*?^[ \t]*\/\/ drift:end\n/gm;
const JS_DRIFT_MARKER = /^[ \t]*\/\/ drift:(?:begin|end)\n/gm;

/** templates/ is two levels up from src/report/ and from dist/report/ alike. */
function templates(): Templates {
  if (loaded) return loaded;
  const read = (name: string): string => readFileSync(fileURLToPath(new URL(`../../templates/${name}`, import.meta.url)), "utf8");
  const css = read("report-html-style.css");
  const js = read("report-html-app.js");
  const plain = { css: css.replace(CSS_DRIFT_PART, ""), js: js.replace(JS_DRIFT_PART, "") };
  const withDrift = { css: css.replace(CSS_DRIFT_MARKER, ""), js: js.replace(JS_DRIFT_MARKER, "") };
  for (const inlined of [plain, withDrift]) {
    // Inlined as they are: they must not be able to end their own element.
    if (/<\/style/i.test(inlined.css) || /<\/script|<!--/i.test(inlined.js)) throw new Error("templates/report-html-*: the inlined CSS or script contains </style, </script or <!--");
    if (/drift:(?:begin|end)/.test(inlined.css + inlined.js)) throw new Error("templates/report-html-*: a drift:begin or drift:end marker without its pair");
  }
  const env = Handlebars.create();
  loaded = { page: env.compile(read("report.html.hbs"), { strict: true }), plain, withDrift };
  return loaded;
}

function sha256(text: string): string {
  return `sha256-${createHash("sha256").update(text, "utf8").digest("base64")}`;
}

function countList(counts: StatusCounts): number[] {
  return CONTROL_STATUSES.map((status) => counts[status]);
}

function total(counts: StatusCounts): number {
  return CONTROL_STATUSES.reduce((sum, status) => sum + counts[status], 0);
}

function formatScore(score: number): string {
  return score.toFixed(1);
}

function formatDuration(ms: number): string {
  if (ms < 0) return "";
  const seconds = Math.round(ms / 1000);
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}
