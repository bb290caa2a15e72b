import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { ReportDiff } from "../report/diff.js";
import { formatOfFile, renderReport, type ReportFormat } from "../report/formats.js";
import type { FleetReport } from "../report/types.js";

/** Writes a report in the format its name asks for, through a temporary file: never half a report. */
export function writeReportFile(file: string, report: FleetReport, format: ReportFormat = formatOfFile(file), drift?: ReportDiff): void {
  const text = renderReport(report, format, drift);
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const temporary = `${file}.tmp-${process.pid}`;
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}

/** Colours on a terminal only, and never with NO_COLOR (https://no-color.org). */
export const useColor = (stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean => stream.isTTY === true && (env["NO_COLOR"] ?? "") === "";
