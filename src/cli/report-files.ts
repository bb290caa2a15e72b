import { existsSync, statSync } from "node:fs";
import { UsageError } from "../errors.js";
import { writeTextAtomically } from "./atomic-write.js";
import type { ReportDiff } from "../report/diff.js";
import { formatOfFile, renderReportChunks, type ReportFormat } from "../report/formats.js";
import type { FleetReport } from "../report/types.js";

/** Writes a report in the format its name asks for, through a temporary file: never half a report. */
export function writeReportFile(file: string, report: FleetReport, format: ReportFormat = formatOfFile(file), drift?: ReportDiff): void {
  if (existsSync(file) && statSync(file).isDirectory()) throw new UsageError("REPORT_TARGET_DIRECTORY", `${file} is a directory, not a report file`, "name a file, e.g. reports/audit.json");
  writeTextAtomically(file, renderReportChunks(report, format, drift));
}

/** Colours on a terminal only, and never with NO_COLOR (https://no-color.org). */
export const useColor = (stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean => stream.isTTY === true && (env["NO_COLOR"] ?? "") === "";
