/** The trend of a report history as a terminal table, Markdown, JSON or an HTML page. Pure. */
import path from "node:path";
import Table from "cli-table3";
import { UsageError } from "../errors.js";
import { mdText } from "./render-common-markdown.js";
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
import { renderTrendHtml } from "./render-trend-html.js";
import type { TrendControl, TrendHost, TrendModel, TrendPoint } from "./trend.js";

export const TREND_FORMATS = ["table", "md", "html", "json"] as const;
export type TrendFormat = (typeof TREND_FORMATS)[number];

const BY_EXTENSION: Record<string, TrendFormat> = { ".txt": "table", ".md": "md", ".html": "html", ".htm": "html", ".json": "json" };

/** The format an output file's extension asks for: .txt (table), .md, .html, .json. */
export function trendFormatOfFile(file: string): TrendFormat {
  const extension = path.extname(file).toLowerCase();
  const format = BY_EXTENSION[extension];
  if (format === undefined) throw new UsageError("TREND_FORMAT", `-o ${file}: unknown trend format "${extension || "(no extension)"}"`, `use one of: ${Object.keys(BY_EXTENSION).join(", ")}, or give --format`);
  return format;
}

export function renderTrend(model: TrendModel, format: TrendFormat): string {
  switch (format) {
    case "table":
      return renderTrendTable(model);
    case "md":
      return renderTrendMarkdown(model);
    case "html":
      return renderTrendHtml(model);
    case "json":
      return `${JSON.stringify(model, null, 2)}\n`;
  }
}

/** Hosts named in a note before "+N more". */
const NAMES_SHOWN = 5;

function pointRow(point: TrendPoint, names: (list: readonly string[]) => string): string[] {
  const { counts } = point;
  return [
    String(point.index + 1),
    formatTime(point.startedAt),
    String(point.score),
    formatPercent(point.passShare),
    String(counts.pass),
    String(counts.fail),
    String(counts.error),
    String(counts.waived),
    String(counts.not_applicable),
    String(point.hosts),
    intervalText(point.regressions),
    intervalText(point.fixes),
    intervalText(point.newFailures),
    pointNote(point, names),
  ];
}

function controlRow(control: TrendControl, text: (value: string) => string): string[] {
  return [text(control.id), control.severity, controlNow(control), sinceText(control), streakText(control.streak), String(control.regressions), String(control.fixes), ...remediationCells(control.remediation)];
}

function hostRow(host: TrendHost, text: (value: string) => string): string[] {
  const seen = host.firstSeen === host.lastSeen ? formatTime(host.firstSeen) : `${formatTime(host.firstSeen)} → ${formatTime(host.lastSeen)}`;
  return [text(host.name), hostNow(host), sinceText(host), streakText(host.streak), String(host.regressions), String(host.fixes), ...remediationCells(host.remediation), seen];
}

function table(head: readonly string[], align: ReadonlyArray<"left" | "right">): Table.Table {
  return new Table({ head: [...head], style: { head: [], border: [], compact: true }, colAligns: [...align] });
}

const right = (count: number): Array<"right"> => Array.from({ length: count }, () => "right" as const);

/** Plain terminal text: the headline, then a table of the reports, one of the controls and one of the hosts. */
export function renderTrendTable(model: TrendModel): string {
  const head = headline(model);
  const plain = (value: string): string => oneLine(value);
  const names = (list: readonly string[]): string => nameList(list.map(plain), NAMES_SHOWN);
  const out: string[] = [plain(head.title), plain(head.range), head.totals, head.remediation];
  for (const warning of model.warnings) out.push(`warning: ${plain(warning)}`);
  const points = table(POINT_HEAD, ["right", "left", ...right(11), "left"]);
  for (const point of model.points) points.push(pointRow(point, names));
  out.push("", "Reports", points.toString());
  if (model.controls.length > 0) {
    const controls = table(CONTROL_HEAD, ["left", "left", "left", "left", "left", ...right(5)]);
    for (const control of model.controls) controls.push(controlRow(control, plain));
    out.push("", "Controls (fixes and time to remediate count results, host × control)", controls.toString());
  }
  if (model.hosts.length > 0) {
    const hosts = table(HOST_HEAD, ["left", "left", "left", "left", ...right(5), "left"]);
    for (const host of model.hosts) hosts.push(hostRow(host, plain));
    out.push("", "Hosts", hosts.toString());
  }
  return `${out.join("\n")}\n`;
}

function mdRow(cells: readonly string[]): string {
  return `| ${cells.map((cell) => (cell === "" ? " " : cell)).join(" | ")} |`;
}

function mdTable(head: readonly string[], rows: readonly string[][]): string[] {
  return [mdRow(head), mdRow(head.map(() => "---")), ...rows.map(mdRow)];
}

/** Markdown: the headline, then the tables of the reports, the controls and the hosts. */
export function renderTrendMarkdown(model: TrendModel): string {
  const head = headline(model);
  const names = (list: readonly string[]): string => mdText(nameList(list.map(oneLine), NAMES_SHOWN));
  const out: string[] = [`# ${mdText(head.title)}`, "", `${mdText(head.range)}.`, "", `${mdText(head.totals)}. ${mdText(head.remediation)}.`];
  if (model.warnings.length > 0) out.push("", ...model.warnings.map((warning) => `- warning: ${mdText(warning)}`));
  out.push("", "## Reports", "", ...mdTable(POINT_HEAD, model.points.map((point) => pointRow(point, names).map((cell, index) => (index === POINT_HEAD.length - 1 ? cell : mdText(cell))))));
  if (model.controls.length > 0) out.push("", "## Controls", "", "Fixes and time to remediate count results (host × control).", "", ...mdTable(CONTROL_HEAD, model.controls.map((control) => controlRow(control, mdText).map((cell, index) => (index === 0 ? cell : mdText(cell))))));
  if (model.hosts.length > 0) out.push("", "## Hosts", "", ...mdTable(HOST_HEAD, model.hosts.map((host) => hostRow(host, mdText).map((cell, index) => (index === 0 ? cell : mdText(cell))))));
  out.push("", "Definitions: docs/history.md in fleet.");
  return `${out.join("\n")}\n`;
}
