/**
 * The trend of a report history as one self-contained HTML page: inline style, inline SVG charts
 * (score and pass share over time, passing and failing results over time), the tables of the
 * reports, controls and hosts. No script at all; a Content-Security-Policy allows only the page's
 * own style (by hash): it opens offline and asks the network for nothing. Every text is escaped. Pure.
 */
import { createHash } from "node:crypto";
import { nameList, oneLine } from "./render-common-text.js";
import {
  CONTROL_HEAD,
  controlNow,
  formatPercent,
  formatTime,
  headline,
  HOST_HEAD,
  hostNow,
  intervalText,
  POINT_HEAD,
  pointNote,
  remediationCells,
  sinceText,
  streakText,
} from "./render-trend-common.js";
import type { TrendModel, TrendPoint } from "./trend.js";

/** Text as HTML: one line, control characters and terminal escapes removed, & < > " ' escaped. */
export function escapeHtml(value: string): string {
  return oneLine(value).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

const STYLE = `
:root { color-scheme: light dark; --fg: #1b1f24; --muted: #5b6570; --line: #d0d7de; --bg: #fff; --pass: #1a7f37; --fail: #cf222e; --score: #0969da; --gap: #8c959f; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --muted: #9da7b3; --line: #30363d; --bg: #0d1117; --pass: #3fb950; --fail: #f85149; --score: #58a6ff; --gap: #6e7681; } }
body { margin: 0 auto; max-width: 1200px; padding: 1rem 1.5rem 3rem; font: 14px/1.45 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
h1 { font-size: 1.5rem; margin: 0.5rem 0; }
h2 { font-size: 1.15rem; margin: 2rem 0 0.5rem; }
.meta { color: var(--muted); margin: 0.2rem 0; }
.warning { color: var(--fail); }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid var(--line); padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
th { font-weight: 600; white-space: nowrap; }
td.num { text-align: right; }
tr.gap td { color: var(--muted); font-style: italic; }
.failing { color: var(--fail); font-weight: 600; }
.removed { color: var(--muted); }
.chart { width: 100%; max-width: 900px; height: auto; display: block; }
.chart text { fill: var(--muted); font-size: 11px; }
.chart .axis { stroke: var(--line); stroke-width: 1; }
.chart .line { fill: none; stroke-width: 2; }
.chart .score { stroke: var(--score); }
.chart .share { stroke: var(--score); stroke-dasharray: 4 3; }
.chart .pass { stroke: var(--pass); }
.chart .fail { stroke: var(--fail); }
.chart .dot-score, .chart .dot-share { fill: var(--score); }
.chart .dot-pass { fill: var(--pass); }
.chart .dot-fail { fill: var(--fail); }
.chart .dot-gap { fill: var(--bg); stroke: var(--gap); stroke-width: 1.5; }
.legend span { margin-right: 1.2rem; }
.key-score { color: var(--score); } .key-pass { color: var(--pass); } .key-fail { color: var(--fail); } .key-gap { color: var(--gap); }
`;

const WIDTH = 860;
const HEIGHT = 260;
const MARGIN = { left: 48, right: 16, top: 12, bottom: 36 };

interface Series {
  cls: string;
  label: string;
  values: Array<number | null>;
}

const round = (value: number): string => String(Math.round(value * 10) / 10);

/** x of each report: by time when the reports span any, else evenly spaced. */
function xPositions(points: readonly TrendPoint[]): number[] {
  const inner = WIDTH - MARGIN.left - MARGIN.right;
  const times = points.map((point) => Date.parse(point.startedAt));
  const first = times[0] ?? 0;
  const span = (times.at(-1) ?? 0) - first;
  if (points.length === 1) return [MARGIN.left + inner / 2];
  if (!times.every(Number.isFinite) || span <= 0) return points.map((_, index) => MARGIN.left + (inner * index) / (points.length - 1));
  return times.map((time) => MARGIN.left + (inner * (time - first)) / span);
}

/** A line chart as inline SVG: each series a line broken at gaps (interrupted reports, shown as hollow dots) and at missing values. */
function chart(id: string, title: string, points: readonly TrendPoint[], series: readonly Series[], yMax: number, pointTitle: (point: TrendPoint) => string): string {
  const xs = xPositions(points);
  const inner = HEIGHT - MARGIN.top - MARGIN.bottom;
  const y = (value: number): number => MARGIN.top + inner - (inner * value) / (yMax || 1);
  const out: string[] = [`<svg class="chart" id="${id}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-labelledby="${id}-title">`, `<title id="${id}-title">${escapeHtml(title)}</title>`];
  for (let tick = 0; tick <= 4; tick++) {
    const value = (yMax * tick) / 4;
    const at = round(y(value));
    out.push(`<line class="axis" x1="${MARGIN.left}" y1="${at}" x2="${WIDTH - MARGIN.right}" y2="${at}"></line>`, `<text x="${MARGIN.left - 6}" y="${at}" text-anchor="end" dominant-baseline="middle">${round(value)}</text>`);
  }
  const first = points[0];
  const last = points.at(-1);
  if (first !== undefined) out.push(`<text x="${round(xs[0] ?? 0)}" y="${HEIGHT - 12}" text-anchor="${points.length === 1 ? "middle" : "start"}">${escapeHtml(formatTime(first.startedAt))}</text>`);
  if (last !== undefined && points.length > 1) out.push(`<text x="${round(xs.at(-1) ?? 0)}" y="${HEIGHT - 12}" text-anchor="end">${escapeHtml(formatTime(last.startedAt))}</text>`);
  for (const line of series) {
    let segment: string[] = [];
    const flush = (): void => {
      if (segment.length > 1) out.push(`<polyline class="line ${line.cls}" points="${segment.join(" ")}"></polyline>`);
      segment = [];
    };
    points.forEach((point, index) => {
      const value = line.values[index];
      if (!point.counted || value === null || value === undefined) return flush();
      segment.push(`${round(xs[index] ?? 0)},${round(y(value))}`);
    });
    flush();
  }
  points.forEach((point, index) => {
    const label = escapeHtml(pointTitle(point));
    for (const line of series) {
      const value = line.values[index];
      if (value === null || value === undefined) continue;
      const cls = point.counted ? `dot-${line.cls}` : "dot-gap";
      out.push(`<circle class="${cls}" cx="${round(xs[index] ?? 0)}" cy="${round(y(value))}" r="3.5"><title>${escapeHtml(line.label)}: ${escapeHtml(String(value))} · ${label}</title></circle>`);
    }
  });
  out.push("</svg>");
  return out.join("\n");
}

function cells(values: readonly string[], numeric: (index: number) => boolean): string {
  return values.map((value, index) => `<td${numeric(index) ? ' class="num"' : ""}>${escapeHtml(value)}</td>`).join("");
}

function head(labels: readonly string[]): string {
  return `<thead><tr>${labels.map((label) => `<th scope="col">${escapeHtml(label)}</th>`).join("")}</tr></thead>`;
}

/** The HTML page of a trend. */
export function renderTrendHtml(model: TrendModel): string {
  const lines = headline(model);
  const names = (list: readonly string[]): string => nameList(list, 5);
  const points = model.points;
  const pointTitle = (point: TrendPoint): string => `${formatTime(point.startedAt)}${point.interrupted ? " (interrupted: a gap)" : ""} · score ${point.score} · ${point.counts.pass} pass, ${point.counts.fail + point.counts.error} failing`;
  const maxCount = points.reduce((max, point) => Math.max(max, point.counts.pass, point.counts.fail + point.counts.error), 1);
  const scoreChart = chart("score-chart", "Score and pass share over time", points, [
    { cls: "score", label: "score", values: points.map((point) => point.score) },
    { cls: "share", label: "pass %", values: points.map((point) => point.passShare) },
  ], 100, pointTitle);
  const countChart = chart("count-chart", "Passing and failing results over time", points, [
    { cls: "pass", label: "pass", values: points.map((point) => point.counts.pass) },
    { cls: "fail", label: "fail or error", values: points.map((point) => point.counts.fail + point.counts.error) },
  ], niceMax(maxCount), pointTitle);

  const pointRows = points.map((point) => {
    const { counts } = point;
    const values = [String(point.index + 1), formatTime(point.startedAt), String(point.score), formatPercent(point.passShare), String(counts.pass), String(counts.fail), String(counts.error), String(counts.waived), String(counts.not_applicable), String(point.hosts), intervalText(point.regressions), intervalText(point.fixes), intervalText(point.newFailures), pointNote(point, names)];
    return `<tr${point.interrupted ? ' class="gap"' : ""}>${cells(values, (index) => index !== 1 && index !== values.length - 1)}</tr>`;
  });
  const controlRows = model.controls.map((control) => {
    const values = [control.id, control.severity, controlNow(control), sinceText(control), streakText(control.streak), String(control.regressions), String(control.fixes), ...remediationCells(control.remediation)];
    const cls = !control.present ? "removed" : control.failingHosts.length > 0 ? "failing" : "";
    return `<tr${cls === "" ? "" : ` class="${cls}"`}>${cells(values, (index) => index >= 5)}</tr>`;
  });
  const hostRows = model.hosts.map((host) => {
    const seen = host.firstSeen === host.lastSeen ? formatTime(host.firstSeen) : `${formatTime(host.firstSeen)} → ${formatTime(host.lastSeen)}`;
    const values = [host.name, hostNow(host), sinceText(host), streakText(host.streak), String(host.regressions), String(host.fixes), ...remediationCells(host.remediation), seen];
    const cls = !host.present ? "removed" : host.failingControls.length > 0 ? "failing" : "";
    return `<tr${cls === "" ? "" : ` class="${cls}"`}>${cells(values, (index) => index >= 4 && index < values.length - 1)}</tr>`;
  });
  const csp = ["default-src 'none'", `style-src 'sha256-${createHash("sha256").update(STYLE, "utf8").digest("base64")}'`, "img-src 'none'", "base-uri 'none'", "form-action 'none'"].join("; ");
  const page = [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="generator" content="fleet">',
    `<title>${escapeHtml(lines.title)}</title>`,
    `<style>${STYLE}</style>`,
    "</head>",
    "<body>",
    "<header>",
    `<h1>${escapeHtml(lines.title)}</h1>`,
    `<p class="meta">${escapeHtml(lines.range)}</p>`,
    `<p class="meta">${escapeHtml(lines.totals)}</p>`,
    `<p class="meta">${escapeHtml(lines.remediation)}</p>`,
    ...model.warnings.map((warning) => `<p class="meta warning">warning: ${escapeHtml(warning)}</p>`),
    "</header>",
    "<main>",
    '<section aria-labelledby="score-title">',
    '<h2 id="score-title">Score over time</h2>',
    '<p class="legend"><span class="key-score">— score</span><span class="key-score">- - pass %</span><span class="key-gap">○ interrupted run (a gap)</span></p>',
    scoreChart,
    "</section>",
    '<section aria-labelledby="count-title">',
    '<h2 id="count-title">Results over time</h2>',
    '<p class="legend"><span class="key-pass">— pass</span><span class="key-fail">— fail or error</span><span class="key-gap">○ interrupted run (a gap)</span></p>',
    countChart,
    "</section>",
    '<section aria-labelledby="reports-title">',
    '<h2 id="reports-title">Reports</h2>',
    `<table>${head(POINT_HEAD)}<tbody>`,
    ...pointRows,
    "</tbody></table>",
    "</section>",
  ];
  if (controlRows.length > 0) page.push('<section aria-labelledby="controls-title">', '<h2 id="controls-title">Controls</h2>', '<p class="meta">Fixes and time to remediate count results (host × control).</p>', `<table>${head(CONTROL_HEAD)}<tbody>`, ...controlRows, "</tbody></table>", "</section>");
  if (hostRows.length > 0) page.push('<section aria-labelledby="hosts-title">', '<h2 id="hosts-title">Hosts</h2>', `<table>${head(HOST_HEAD)}<tbody>`, ...hostRows, "</tbody></table>", "</section>");
  page.push("</main>", "</body>", "</html>");
  return `${page.join("\n")}\n`;
}

/** The top of a count axis of four ticks: 4 × a round step (1, 2 or 5 × 10^n), at or above `value`. */
function niceMax(value: number): number {
  const quarter = Math.max(1, value) / 4;
  const power = 10 ** Math.floor(Math.log10(quarter));
  for (const step of [1, 2, 5, 10]) if (step * power >= quarter && Number.isInteger(step * power)) return 4 * step * power;
  return 40 * power;
}
