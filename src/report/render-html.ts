import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import Handlebars from "handlebars";
import type { Severity } from "../playbook/types.js";
import { CONTROL_STATUSES, reportModel, SEVERITIES, type StatusCounts } from "./model.js";
import { htmlReportData, scriptSafeJson, STATUS_INFO } from "./render-html-data.js";
import type { FleetReport } from "./types.js";

/**
 * The HTML report: one self-contained file (inline CSS, inline script, the data as one JSON blob)
 * that opens offline and asks the network for nothing. The page shell (verdict, score, counts) is
 * templates/report.html.hbs, rendered by handlebars with its normal HTML escaping, so the summary
 * reads without JavaScript; the script (templates/report-html-app.js) builds the host × control
 * matrix, the filters and the per-control and per-host views from the data, drawing only the rows
 * in view. A Content-Security-Policy allows only this page's own script and style (by hash): no
 * request of any kind, no eval.
 */
export function renderHtml(report: FleetReport): string {
  const { page, css, js } = templates();
  const model = reportModel(report);
  const data = scriptSafeJson(htmlReportData(model));
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
  });
}

const VERDICT_LABEL = { compliant: "Compliant", "non-compliant": "Non-compliant", incomplete: "Incomplete" } as const;
const VERDICT_SYMBOL = { compliant: "✓", "non-compliant": "✗", incomplete: "?" } as const;

interface Templates {
  page: Handlebars.TemplateDelegate;
  css: string;
  js: string;
}

let loaded: Templates | undefined;

/** templates/ is two levels up from src/report/ and from dist/report/ alike. */
function templates(): Templates {
  if (loaded) return loaded;
  const read = (name: string): string => readFileSync(fileURLToPath(new URL(`../../templates/${name}`, import.meta.url)), "utf8");
  const css = read("report-html-style.css");
  const js = read("report-html-app.js");
  // Inlined as they are: they must not be able to end their own element.
  if (/<\/style/i.test(css) || /<\/script|<!--/i.test(js)) throw new Error("templates/report-html-*: the inlined CSS or script contains </style, </script or <!--");
  const env = Handlebars.create();
  loaded = { page: env.compile(read("report.html.hbs"), { strict: true }), css, js };
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
