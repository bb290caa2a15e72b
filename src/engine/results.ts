import type { FactValue } from "../facts/types.js";
import type { Diff, Plan } from "../modules/types.js";
import type { Control } from "../playbook/types.js";

export type TaskStatus = "ok" | "changed" | "failed" | "skipped";
export type ControlStatus = "pass" | "fail" | "error" | "waived" | "not_applicable";

/** What `register:` stores, shaped as in Ansible so `when: r is changed` and `r.stdout` read alike. */
export interface RegisteredResult {
  changed: boolean;
  failed: boolean;
  skipped: boolean;
  msg: string;
  rc?: number;
  stdout?: string;
  stderr?: string;
  stdout_lines?: string[];
}

export interface ControlVerdict {
  id: string;
  status: ControlStatus;
  expected: string | null;
  actual: string | null;
  message: string;
}

/** One task on one host: plain data, the unit of output, reports and saved plans. */
export interface TaskResult {
  play: number;
  /** Index in the play's tasks, or in its handlers when `handler` is true. */
  task: number;
  handler: boolean;
  name: string;
  module: string;
  control: Control | null;
  status: TaskStatus;
  message: string;
  diff: Diff | null;
  /** The plan the task was judged by (null when it was skipped before planning). */
  plan: Plan | null;
  /**
   * For a change: the same facts as read from the host, without the values earlier changes of the
   * run predict; what a saved plan's fingerprint is made of (src/plan).
   */
  factsRead?: Record<string, FactValue>;
  /** Output of a command the task ran (command/shell), secrets masked. */
  output: { rc: number; stdout: string; stderr: string } | null;
  /** The host that ran a cluster-scoped or run_once task for this one, or null. */
  delegatedTo: string | null;
  verdict: ControlVerdict | null;
  /** A failure that ignore_errors let the host go on after. */
  ignored: boolean;
}

export type HostStatus = "ok" | "changed" | "failed" | "unreachable";

export interface HostResult {
  host: string;
  cluster: string | null;
  status: HostStatus;
  error: string | null;
  /** What the operator can do about `error` (an unreachable host: how to accept its key, ...). */
  hint?: string;
  /** True when the run was interrupted before this host finished. */
  interrupted: boolean;
  /**
   * True when a task failed hard and the host stopped its tasks (or it was unreachable, or fleet
   * failed on it): it takes no part in later plays. Findings (fail plans) do not stop a host.
   */
  stopped: boolean;
  tasks: TaskResult[];
  durationMs: number;
  /** Execs on the host's connection (round trips), for benchmarks and -v. */
  execs: number;
}

export function hostStatusOf(tasks: readonly TaskResult[], failed: boolean): HostStatus {
  if (failed || tasks.some((task) => task.status === "failed" && !task.ignored)) return "failed";
  return tasks.some((task) => task.status === "changed") ? "changed" : "ok";
}
