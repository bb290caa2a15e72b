import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { UsageError } from "../errors.js";
import path from "node:path";
import type { ReportDiff } from "../report/diff.js";
import { formatOfFile, renderReport, type ReportFormat } from "../report/formats.js";
import type { FleetReport } from "../report/types.js";

/** Writes a report in the format its name asks for, through a temporary file: never half a report. */
export function writeReportFile(file: string, report: FleetReport, format: ReportFormat = formatOfFile(file), drift?: ReportDiff): void {
  if (existsSync(file) && statSync(file).isDirectory()) throw new UsageError("REPORT_TARGET_DIRECTORY", `${file} is a directory, not a report file`, "name a file, e.g. reports/audit.json");
  const text = renderReport(report, format, drift);
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const temporary = `${file}.tmp-${process.pid}`;
  try {
    writeFileSync(temporary, text);
    renameSync(temporary, file);
  } finally {
    rmSync(temporary, { force: true });
  }
}

/** Colours on a terminal only, and never with NO_COLOR (https://no-color.org). */
export const useColor = (stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean => stream.isTTY === true && (env["NO_COLOR"] ?? "") === "";
