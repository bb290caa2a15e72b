/**
 * The report history of `--history DIR`: each run's JSON report kept as a timestamped file,
 * the oldest pruned beyond `--keep N`, and the directory read back for `fleet report trend`.
 * See docs/history.md.
 */
import { randomBytes } from "node:crypto";
import { existsSync, linkSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { FleetError, InputFileError, UsageError } from "../errors.js";
import { errorCode } from "../inventory/fs-util.js";
import { jsonChunks } from "./json-chunks.js";
import { loadReport } from "./load-report.js";
import { writeChunksSync } from "./write-chunks.js";
import type { FleetReport } from "./types.js";

/**
 * fleet's own history files: `fleet-report-2026-12-03T04-40-08.123Z.json` (the run's start in UTC,
 * colons as dashes), with `-2`, `-3`… before `.json` when two runs started in the same millisecond.
 * Pruning touches no other file.
 */
export const HISTORY_FILE = /^fleet-report-(\d{4,}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}(?:\.\d+)?Z)(?:-([0-9]+))?\.json$/;

export interface HistoryTarget {
  dir: string;
  /** Reports kept after writing (the newest); undefined: all. */
  keep: number | undefined;
}

/** The file name of a report started at `startedAt` (an ISO date); `sequence` ≥ 2 tells apart runs started in the same millisecond. */
export function historyFileName(startedAt: string, sequence = 1): string {
  const time = new Date(startedAt);
  const iso = Number.isFinite(time.getTime()) ? time.toISOString() : new Date().toISOString();
  return `fleet-report-${iso.replace(/:/g, "-")}${sequence > 1 ? `-${sequence}` : ""}.json`;
}

/**
 * Reads --history and --keep before any host is touched: a DIR that is a file (or lies below one)
 * and a --keep that is not a whole number ≥ 1, or without --history, are usage errors (exit 5).
 */
export function historyTarget(dir: string | undefined, keep: string | undefined): HistoryTarget | undefined {
  if (dir === undefined) {
    if (keep !== undefined) throw new UsageError("HISTORY_KEEP", "--keep needs --history DIR", "e.g. --history reports/ --keep 30");
    return undefined;
  }
  if (dir.trim() === "") throw new UsageError("HISTORY_TARGET", "--history needs a directory, not an empty name");
  let count: number | undefined;
  if (keep !== undefined) {
    if (!/^[0-9]+$/.test(keep.trim()) || Number(keep) < 1 || !Number.isSafeInteger(Number(keep))) throw new UsageError("HISTORY_KEEP", `--keep must be a whole number of at least 1, not "${keep}"`, "leave --keep out to keep every report");
    count = Number(keep);
  }
  // the nearest part of the path that exists must be a directory
  let existing = path.resolve(dir);
  while (!existsSync(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing);
  let isDirectory = true;
  try {
    isDirectory = statSync(existing).isDirectory();
  } catch {
    // unreadable: writing will say why
  }
  if (!isDirectory) {
    const what = existing === path.resolve(dir) ? `${dir} is a file, not a directory` : `${dir} cannot be a directory: ${existing} is a file`;
    throw new UsageError("HISTORY_TARGET", `--history ${what}`, "name a directory (it is created if missing), e.g. --history reports/");
  }
  return { dir, keep: count };
}

/**
 * Writes `text` to `file` through a temporary file in the same directory renamed over it: a reader
 * never sees half a file. Refuses a directory.
 */
export function writeFileAtomic(file: string, text: string): void {
  if (existsSync(file) && statSync(file).isDirectory()) throw new UsageError("OUTPUT_TARGET_DIRECTORY", `${file} is a directory, not a file`, "name a file, e.g. trend.html");
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}`);
  try {
    writeFileSync(temporary, text);
    renameSync(temporary, file);
  } finally {
    rmSync(temporary, { force: true });
  }
}

/**
 * Keeps `report` in the history: DIR created if missing, the JSON written to a temporary file and
 * put in place under a name no other report has (a hard link fails rather than replace one; where
 * links are not supported, a rename to a name found free), then the oldest of fleet's own files
 * beyond `keep` removed (never the one just written). Returns the file written and those removed.
 */
export function keepInHistory(target: HistoryTarget, report: FleetReport): { file: string; pruned: string[] } {
  const { dir } = target;
  mkdirSync(dir, { recursive: true });
  const first = historyFileName(report.startedAt);
  const temporary = path.join(dir, `.${first}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`);
  let file: string | undefined;
  try {
    writeChunksSync(temporary, jsonChunks(report));
    for (let sequence = 1; file === undefined; sequence++) {
      const candidate = path.join(dir, historyFileName(report.startedAt, sequence));
      if (place(temporary, candidate)) file = candidate;
    }
  } finally {
    rmSync(temporary, { force: true });
  }
  const pruned = target.keep === undefined ? [] : pruneHistory(dir, target.keep, path.basename(file));
  return { file, pruned };
}

/** Puts `temporary` at `file` unless `file` exists; false when it does. */
function place(temporary: string, file: string): boolean {
  try {
    linkSync(temporary, file);
    return true;
  } catch (error) {
    if (errorCode(error) === "EEXIST") return false;
    // no hard links here (some network and FUSE file systems): a rename to a free name
    if (existsSync(file)) return false;
    renameSync(temporary, file);
    return true;
  }
}

/** fleet's history files in DIR (regular files of its name pattern), oldest first (by the time in the name, then the sequence). */
export function historyFiles(dir: string): string[] {
  const entries: Array<{ name: string; time: string; sequence: number }> = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const { name } = entry;
    const match = entry.isFile() ? HISTORY_FILE.exec(name) : null;
    if (match === null) continue;
    entries.push({ name, time: match[1] ?? "", sequence: Number(match[2] ?? "1") });
  }
  entries.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.sequence - b.sequence || (a.name < b.name ? -1 : 1)));
  return entries.map((entry) => entry.name);
}

/** Removes the oldest of fleet's history files in DIR beyond the newest `keep`, never `protect`. Returns the names removed. */
export function pruneHistory(dir: string, keep: number, protect?: string): string[] {
  const files = historyFiles(dir);
  const removed: string[] = [];
  let excess = files.length - keep;
  for (const name of files) {
    if (excess <= 0) break;
    if (name === protect) continue;
    rmSync(path.join(dir, name), { force: true });
    removed.push(name);
    excess -= 1;
  }
  return removed;
}

/**
 * The reports of a history directory for `fleet report trend`: every `*.json` file directly in
 * DIR (hidden files left out), whatever its name, read as `fleet report diff` reads a report. A
 * missing or empty directory is a usage error (exit 5); files that are not fleet reports are
 * located input errors (exit 4), all of them at once.
 */
export async function loadHistory(dir: string): Promise<{ reports: FleetReport[]; sources: string[] }> {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new UsageError("TREND_NOT_DIRECTORY", `${dir} is a file, not a history directory`, "give the directory of --history DIR, or compare two reports with fleet report diff");
    names = readdirSync(dir);
  } catch (error) {
    if (error instanceof FleetError) throw error;
    if (errorCode(error) === "ENOENT") throw new UsageError("TREND_NOT_FOUND", `history directory ${dir} not found`, "give the directory fleet audit|run --history DIR wrote to");
    throw error;
  }
  const sources = names
    .filter((name) => name.toLowerCase().endsWith(".json") && !name.startsWith("."))
    .sort()
    .map((name) => path.join(dir, name))
    .filter((file) => statSync(file).isFile());
  if (sources.length === 0) throw new UsageError("TREND_EMPTY", `${dir} holds no JSON report`, "write reports there with fleet audit|run --history DIR, then show their trend");
  const reports: FleetReport[] = [];
  const problems: FleetError[] = [];
  // one at a time: a long history must not open every file at once
  for (const file of sources) {
    try {
      reports.push(await loadReport(file));
    } catch (error) {
      if (!(error instanceof InputFileError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length > 0) throw new InputFileError(problems);
  return { reports, sources };
}
