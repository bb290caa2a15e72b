/** Rendering of `fleet exec` results: progress, grouped output, summary table, JSON. Pure: results in, text out. */
import Table from "cli-table3";
import type { ExecHostResult } from "../engine/exec.js";
import { ExitCode, type ExitCodeValue } from "./exit-codes.js";
import { terminalSafe } from "./terminal-safe.js";

export interface ExecTally {
  total: number;
  finished: number;
  ok: number;
  failed: number;
  unreachable: number;
  interrupted: number;
}

export function tally(results: readonly ExecHostResult[], total = results.length): ExecTally {
  return {
    total,
    finished: results.length,
    ok: results.filter((result) => result.status === "ok").length,
    failed: results.filter((result) => result.status === "failed").length,
    unreachable: results.filter((result) => result.status === "unreachable").length,
    interrupted: results.filter((result) => result.status === "interrupted").length,
  };
}

/** The live line on a terminal: `37/50 hosts · 2 failed · 1 unreachable`. */
export function progressLine(counts: ExecTally): string {
  return `${counts.finished}/${counts.total} hosts · ${counts.failed} failed · ${counts.unreachable} unreachable`;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

/** One line per finished host when stderr is not a terminal. */
export function finishedLine(result: ExecHostResult): string {
  const rc = result.result?.exitCode;
  const detail = result.status === "ok" ? `rc=${rc ?? "-"}` : (result.message ?? "");
  return `${result.host}: ${result.status.toUpperCase()} ${detail} (${seconds(result.durationMs)})`;
}

/** Each host's output, grouped under a header, in inventory order. */
export function groupedOutput(results: readonly ExecHostResult[]): string {
  const blocks = results.map((result) => {
    const rc = result.result?.exitCode;
    const head = `==> ${result.host} | ${result.status}${rc === undefined || rc === null ? "" : ` | rc=${rc}`} | ${seconds(result.durationMs)}`;
    const lines = [head];
    if (result.result) {
      const { truncated } = result.result;
      // a truncated capture starts mid-line: say so first and show whole lines only
      const shown = (text: string): string => terminalSafe((truncated ? fromFirstWholeLine(text) : text).replace(/\n$/, ""));
      if (truncated) lines.push("(output truncated: only the end is shown)");
      if (result.result.stdout !== "") lines.push(shown(result.result.stdout));
      if (result.result.stderr !== "") lines.push(`--- stderr\n${shown(result.result.stderr)}`);
    }
    if (result.status !== "ok" && result.message) lines.push(`!! ${terminalSafe(result.message)}`);
    if (result.hint) lines.push(`   hint: ${result.hint}`);
    return lines.join("\n");
  });
  return blocks.length === 0 ? "" : `${blocks.join("\n\n")}\n`;
}

export function summaryTable(results: readonly ExecHostResult[]): string {
  const table = new Table({
    head: ["host", "status", "rc", "duration"],
    style: { head: [], border: [] },
    chars: { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" },
  });
  for (const result of results) {
    const rc = result.result?.exitCode;
    table.push([result.host, result.status, rc === undefined || rc === null ? "-" : String(rc), seconds(result.durationMs)]);
  }
  const counts = tally(results);
  const interrupted = counts.interrupted > 0 ? `, ${counts.interrupted} interrupted` : "";
  return `${table.toString()}\n${counts.total} ${counts.total === 1 ? "host" : "hosts"}: ${counts.ok} ok, ${counts.failed} failed, ${counts.unreachable} unreachable${interrupted}\n`;
}

export interface ExecJsonMeta {
  command: string;
  startedAt: Date;
  finishedAt: Date;
  interrupted: boolean;
}

/** Machine-readable results (`--json`). */
export function execJson(results: readonly ExecHostResult[], meta: ExecJsonMeta): string {
  const counts = tally(results);
  const document = {
    command: meta.command,
    startedAt: meta.startedAt.toISOString(),
    finishedAt: meta.finishedAt.toISOString(),
    interrupted: meta.interrupted,
    summary: { hosts: counts.total, ok: counts.ok, failed: counts.failed, unreachable: counts.unreachable, interrupted: counts.interrupted },
    hosts: results.map((result) => ({
      name: result.host,
      status: result.status,
      rc: result.result?.exitCode ?? null,
      signal: result.result?.signal ?? null,
      timedOut: result.result?.timedOut ?? false,
      stdout: result.result?.stdout ?? "",
      stderr: result.result?.stderr ?? "",
      truncated: result.result?.truncated ?? false,
      durationMs: result.durationMs,
      error: result.message,
      code: result.code,
      hint: result.hint,
    })),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** 99 when interrupted, else 2 when a command failed somewhere, else 3 when a host was unreachable, else 0. */
export function execExitCode(results: readonly ExecHostResult[]): ExitCodeValue {
  if (results.some((result) => result.status === "interrupted")) return ExitCode.interrupted;
  if (results.some((result) => result.status === "failed")) return ExitCode.taskFailed;
  if (results.some((result) => result.status === "unreachable")) return ExitCode.unreachable;
  return ExitCode.ok;
}

/** A capture cut at its start begins mid-line: drop that fragment when whole lines follow it. */
function fromFirstWholeLine(text: string): string {
  const end = text.indexOf("\n");
  return end >= 0 && end < text.length - 1 ? text.slice(end + 1) : text;
}
