/** Rendering of `fleet run` / `fleet audit` output: task lines, diffs, the recap. Pure: results in, text out. */
import Table from "cli-table3";
import type { HostResult, TaskResult } from "../engine/results.js";
import type { FleetReport } from "../report/types.js";
import { ExitCode, type ExitCodeValue } from "./exit-codes.js";
import { terminalSafe } from "./terminal-safe.js";

export interface OutputSettings {
  check: boolean;
  verbose: boolean;
  diff: boolean;
}

/** One line for a task result, or "" for results not worth a line at this verbosity. */
export function taskLine(host: string, result: TaskResult, settings: OutputSettings): string {
  const quiet = result.status === "ok" || result.status === "skipped";
  if (quiet && !settings.verbose) return "";
  const status = result.status === "changed" && settings.check ? "would change" : result.status;
  const control = result.control ? ` [${result.control.id}]` : "";
  const via = result.delegatedTo ? ` (run on ${result.delegatedTo})` : "";
  const ignoring = result.ignored ? " (ignored)" : "";
  const lines = [`${host}: ${status}${ignoring}: ${result.name}${control}${via}${result.message ? ` — ${terminalSafe(result.message)}` : ""}`];
  if (settings.diff && result.diff) lines.push(indent(terminalSafe(unifiedDiff(result.diff.before, result.diff.after))));
  if (settings.verbose && result.plan?.kind === "change") for (const command of result.plan.commands) lines.push(indent(`$ ${command.description}`));
  if (settings.verbose && result.output) {
    if (result.output.stdout.trim()) lines.push(indent(terminalSafe(result.output.stdout.trimEnd())));
    if (result.output.stderr.trim()) lines.push(indent(`stderr: ${terminalSafe(result.output.stderr.trimEnd())}`));
  }
  return `${lines.join("\n")}\n`;
}

const indent = (text: string): string => text.split("\n").map((line) => `    ${line}`).join("\n");

/**
 * A line diff: the lines that differ, prefixed - and +, with the common lines around them cut. Two
 * equal sides (a no_log task's diff, engine/mask.ts) have no lines that differ: the text is shown once.
 */
export function unifiedDiff(before: string, after: string): string {
  if (before === after) return before;
  const a = before.split("\n");
  const b = after.split("\n");
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const removed = a.slice(head, a.length - tail).map((line) => `- ${line}`);
  const added = b.slice(head, b.length - tail).map((line) => `+ ${line}`);
  return [`@@ line ${head + 1} @@`, ...removed, ...added].join("\n");
}

/** The PLAY RECAP table: one row per host. */
export function recapTable(hosts: readonly HostResult[], settings: Pick<OutputSettings, "check">): string {
  const anyInterrupted = hosts.some((host) => host.interrupted);
  const head = ["host", "ok", settings.check ? "would change" : "changed", "failed", "skipped", "unreachable", ...(anyInterrupted ? ["interrupted"] : [])];
  const table = new Table({ head, style: { head: [], border: [] } });
  for (const host of hosts) {
    const count = (status: TaskResult["status"]): number => host.tasks.filter((task) => task.status === status).length;
    table.push([host.host, count("ok"), count("changed"), count("failed"), count("skipped"), host.status === "unreachable" ? 1 : 0, ...(anyInterrupted ? [host.interrupted ? 1 : 0] : [])]);
  }
  return `PLAY RECAP\n${table.toString()}\n`;
}

/** Hosts that ended without a task saying why: unreachable, stopped by an error of their own, or interrupted; with the hint, if any. */
export function unreachableLines(hosts: readonly HostResult[]): string {
  return hosts
    .filter((host) => host.status === "unreachable" || (host.error !== null && host.status === "failed") || host.interrupted)
    .map((host) => {
      const what = host.status === "unreachable" ? "UNREACHABLE" : host.interrupted ? "INTERRUPTED" : "FAILED";
      const why = withoutHostPrefix(host.host, host.error ?? (host.interrupted ? "the run was interrupted" : "no connection"));
      return `${host.host}: ${what} — ${terminalSafe(why)}\n${host.hint ? `    hint: ${terminalSafe(host.hint)}\n` : ""}`;
    })
    .join("");
}

/** Transport errors name their host first; the line already does. */
const withoutHostPrefix = (host: string, message: string): string => (message.startsWith(`${host}: `) ? message.slice(host.length + 2) : message);

/** run: 2 when a task failed, 3 when a host was unreachable (and nothing failed). audit: 2 also when a control is not met or a task would change. */
export function runExitCode(report: FleetReport, mode: "run" | "audit"): ExitCodeValue {
  if (report.interrupted) return ExitCode.interrupted;
  const failedTasks = report.summary.tasks.failed > 0;
  const nonCompliant = mode === "audit" && (report.summary.controls.fail > 0 || report.summary.controls.error > 0 || report.summary.tasks.changed > 0);
  if (failedTasks || nonCompliant) return ExitCode.taskFailed;
  if (report.summary.unreachable > 0) return ExitCode.unreachable;
  return ExitCode.ok;
}

/** `12 hosts: 9 ok, 2 changed, 1 failed, 0 unreachable · controls 40 pass, 3 fail … · score 91.2`. */
export function summaryLine(report: FleetReport): string {
  const { summary } = report;
  const controls = Object.values(summary.controls).some((count) => count > 0)
    ? ` · controls: ${summary.controls.pass} pass, ${summary.controls.fail} fail, ${summary.controls.error} error, ${summary.controls.not_applicable} n/a · score ${summary.score}`
    : "";
  const verb = report.mode === "audit" ? "would change" : "changed";
  return `${summary.hosts} host${summary.hosts === 1 ? "" : "s"}: ${summary.changed} ${verb}, ${summary.failed} failed, ${summary.unreachable} unreachable${controls}\n`;
}
