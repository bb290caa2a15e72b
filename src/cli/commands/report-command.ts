import { terminalSafe } from "../terminal-safe.js";
import { diffReports, hasRegressions, renderDiffMarkdown, renderDiffTable } from "../../report/diff.js";
import { renderReport, type ReportFormat } from "../../report/formats.js";
import { loadReport } from "../../report/load-report.js";
import { mergeReports } from "../../report/merge.js";
import { loadHistory, writeFileAtomic } from "../../report/history.js";
import { renderTrend, trendFormatOfFile, type TrendFormat } from "../../report/render-trend.js";
import { trendModel } from "../../report/trend.js";
import { UsageError } from "../../errors.js";
import { applyWaivers } from "../../report/waivers.js";
import { loadWaivers } from "../../report/waivers-file.js";
import { ExitCode, type ExitCodeValue } from "../exit-codes.js";
import type { CliIo } from "../program.js";
import { writeReportFile } from "../report-files.js";

export interface ReportRenderFlags {
  format?: ReportFormat;
  output?: string;
  waivers?: string;
}

export interface ReportMergeFlags {
  output: string;
}

export interface ReportTrendFlags {
  format?: TrendFormat;
  output?: string;
  control?: string;
  host?: string;
}

export interface ReportDiffFlags {
  format: "table" | "md";
}

/** `fleet report render`: a saved JSON report in another format. */
export async function reportRender(file: string, flags: ReportRenderFlags, io: CliIo): Promise<ExitCodeValue> {
  let report = await loadReport(file);
  if (flags.waivers !== undefined) {
    const waived = applyWaivers(report, await loadWaivers(flags.waivers), new Date());
    for (const warning of waived.warnings) io.stderr.write(`fleet: warning: ${terminalSafe(warning)}\n`);
    report = waived.report;
  }
  if (flags.output !== undefined && flags.format === undefined) writeReportFile(flags.output, report);
  else {
    const text = renderReport(report, flags.format ?? "table");
    if (flags.output === undefined) io.stdout.write(text);
    else writeReportFile(flags.output, report, flags.format);
  }
  return ExitCode.ok;
}

/** `fleet report merge`: one report from the reports of disjoint host sets. */
export async function reportMerge(files: readonly string[], flags: ReportMergeFlags, io: CliIo): Promise<ExitCodeValue> {
  const reports = await Promise.all(files.map((file) => loadReport(file)));
  const merged = mergeReports(reports, files);
  writeReportFile(flags.output, merged);
  io.stderr.write(`fleet: merged ${files.length} reports (${merged.summary.hosts} hosts) into ${flags.output}\n`);
  return ExitCode.ok;
}

/** `fleet report diff`: drift between two reports; exit 2 when something newly fails. */
export async function reportDiff(oldFile: string, newFile: string, flags: ReportDiffFlags, io: CliIo): Promise<ExitCodeValue> {
  const diff = diffReports(await loadReport(oldFile), await loadReport(newFile));
  io.stdout.write(flags.format === "md" ? renderDiffMarkdown(diff) : renderDiffTable(diff));
  return hasRegressions(diff) ? ExitCode.taskFailed : ExitCode.ok;
}

/** `fleet report trend`: compliance over time from a directory of reports (docs/history.md). */
export async function reportTrend(dir: string, flags: ReportTrendFlags, io: CliIo): Promise<ExitCodeValue> {
  const format = flags.format ?? (flags.output === undefined ? "table" : trendFormatOfFile(flags.output));
  const { reports, sources } = await loadHistory(dir);
  const model = trendModel(reports, { sources, ...(flags.control === undefined ? {} : { control: flags.control }), ...(flags.host === undefined ? {} : { host: flags.host }) });
  for (const warning of model.warnings) io.stderr.write(`fleet: warning: ${terminalSafe(warning)}\n`);
  if (model.points.length === 0) throw new UsageError("TREND_EMPTY", `${dir} holds no report to show: all ${model.skipped.length} are shard reports`, "merge each run's shards with fleet report merge, and keep the merged report in the history instead");
  const text = renderTrend(model, format);
  if (flags.output === undefined) io.stdout.write(text);
  else writeFileAtomic(flags.output, text);
  return ExitCode.ok;
}
