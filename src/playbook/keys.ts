/** The keys a play, a task and a control mapping may hold (a task also holds one module key). */

export const PLAY_KEYS = [
  "name",
  "hosts",
  "become",
  "become_user",
  "vars",
  "defaults",
  "vars_files",
  "serial",
  "max_fail_percentage",
  "any_errors_fatal",
  "secret_vars",
  "controls",
  "tasks",
  "handlers",
] as const;

export const TASK_KEYS = [
  "name",
  "control",
  "tags",
  "when",
  "notify",
  "become",
  "become_user",
  "scope",
  "run_once",
  "check_mode",
  "changed_when",
  "failed_when",
  "ignore_errors",
  "register",
  "timeout",
  "no_log",
] as const;

export const CONTROL_KEYS = ["id", "title", "severity", "scope", "section", "rationale", "remediation", "fix", "fix_var"] as const;

export type PlayKey = (typeof PLAY_KEYS)[number];
export type TaskKey = (typeof TASK_KEYS)[number];
export type ControlKey = (typeof CONTROL_KEYS)[number];

export function isPlayKey(key: string): key is PlayKey {
  return (PLAY_KEYS as readonly string[]).includes(key);
}

export function isTaskKey(key: string): key is TaskKey {
  return (TASK_KEYS as readonly string[]).includes(key);
}

export function isControlKey(key: string): key is ControlKey {
  return (CONTROL_KEYS as readonly string[]).includes(key);
}
