import type { Playbook } from "../playbook/types.js";
import type { ExecHostResult } from "./exec.js";
import type { HostResult, TaskResult } from "./results.js";
import type { SecretMask } from "./secret-mask.js";

/**
 * Results as they may leave the engine: secret values masked (secret-mask.ts) and the tasks marked
 * `no_log` censored. The engine itself, registered results included, keeps the real values: a later
 * task may need them. Pure: copies, never edits in place.
 */

/** What a no_log task shows instead of its message, output and diff (Ansible's words). */
export const NO_LOG_TEXT = "the output has been hidden due to the fact that 'no_log: true' was specified for this result";

/** Whether the task a result is of says `no_log: true`. */
export function isNoLog(playbook: Pick<Playbook, "plays">, result: Pick<TaskResult, "play" | "task" | "handler">): boolean {
  const play = playbook.plays[result.play];
  const task = (result.handler ? play?.handlers : play?.tasks)?.[result.task];
  return task?.noLog === true;
}

/**
 * A task result for output and reports. A no_log task keeps its status, its control's verdict
 * (pass, fail, ...) and its exit code; its message, diff and output become NO_LOG_TEXT, so
 * do the verdict's expected and actual values and message (lineinfile's expected value is the
 * line itself), and its plan (which holds the commands, and so the values) is dropped.
 */
export function maskTaskResult(result: TaskResult, mask: SecretMask, noLog: boolean): TaskResult {
  const censored: TaskResult = noLog
    ? {
        ...result,
        message: NO_LOG_TEXT,
        diff: result.diff === null ? null : { before: NO_LOG_TEXT, after: NO_LOG_TEXT },
        output: result.output === null ? null : { rc: result.output.rc, stdout: NO_LOG_TEXT, stderr: "" },
        plan: null,
        verdict: result.verdict === null ? null : { ...result.verdict, expected: result.verdict.expected === null ? null : NO_LOG_TEXT, actual: result.verdict.actual === null ? null : NO_LOG_TEXT, message: result.verdict.message === "" ? "" : NO_LOG_TEXT },
      }
    : result;
  return mask.deep(censored);
}

export function maskHostResult(host: HostResult, mask: SecretMask, playbook: Pick<Playbook, "plays">): HostResult {
  const { tasks, ...rest } = host;
  return { ...mask.deep(rest), tasks: tasks.map((task) => maskTaskResult(task, mask, isNoLog(playbook, task))) };
}

export function maskExecResult(result: ExecHostResult, mask: SecretMask): ExecHostResult {
  return mask.deep(result);
}
