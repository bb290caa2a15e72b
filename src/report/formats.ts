import path from "node:path";
import { UsageError } from "../errors.js";
import type { ReportDiff } from "./diff.js";
import { jsonChunks } from "./json-chunks.js";
import { renderHtml } from "./render-html.js";
import { renderJUnit } from "./render-junit.js";
import { renderMarkdown } from "./render-markdown.js";
import { renderPrometheus } from "./render-prom.js";
import { renderSummaryTable } from "./render-table.js";
import type { FleetReport } from "./types.js";

export const REPORT_FORMATS = ["json", "html", "md", "junit", "table", "prom"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

const BY_EXTENSION: Record<string, ReportFormat> = { ".json": "json", ".html": "html", ".htm": "html", ".md": "md", ".xml": "junit", ".txt": "table", ".prom": "prom" };

/** The format a report file's extension asks for: .json .html .md .xml (JUnit) .txt (table) .prom (Prometheus metrics). */
export function formatOfFile(file: string): ReportFormat {
  const extension = path.extname(file).toLowerCase();
  const format = BY_EXTENSION[extension];
  if (format === undefined) throw new UsageError("REPORT_FORMAT", `--report ${file}: unknown report format "${extension || "(no extension)"}"`, `use one of: ${Object.keys(BY_EXTENSION).join(", ")} (.xml is JUnit)`);
  return format;
}

/** As renderReport, in pieces: the JSON of a large report is never one string. Pure. */
export function renderReportChunks(report: FleetReport, format: ReportFormat, drift?: ReportDiff): Iterable<string> {
  return format === "json" ? jsonChunks(report) : [renderReport(report, format, drift)];
}

/** One report in one format; HTML and Markdown also show the drift since an earlier report when given. Pure. */
export function renderReport(report: FleetReport, format: ReportFormat, drift?: ReportDiff): string {
  switch (format) {
    case "json":
      return `${JSON.stringify(report, null, 2)}\n`;
    case "html":
      return renderHtml(report, drift === undefined ? {} : { drift });
    case "md":
      return renderMarkdown(report, drift === undefined ? {} : { drift });
    case "junit":
      return renderJUnit(report);
    case "table":
      return renderSummaryTable(report, { color: false });
    case "prom":
      return renderPrometheus(report);
  }
}
