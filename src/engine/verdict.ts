import type { Plan } from "../modules/types.js";
import type { Task } from "../playbook/types.js";
import type { ControlVerdict, TaskStatus } from "./results.js";

/**
 * How a task with `control:` judges its control. Audit (check mode): ok passes, a change that
 * would be made fails with the plan's expected and actual. Run: the state after the run counts,
 * so a change that was applied and verified passes.
 */
export function verdictFor(task: Task, status: TaskStatus, plan: Plan | null, message: string, check: boolean): ControlVerdict | null {
  if (task.control === null) return null;
  const id = task.control.id;
  const base = { id, expected: null, actual: null };
  if (status === "skipped") return { ...base, status: "not_applicable", message };
  if (plan === null) return { ...base, status: status === "failed" ? "error" : "pass", message };
  switch (plan.kind) {
    case "ok":
      return status === "failed" ? { ...base, status: "error", message } : { ...base, status: "pass", actual: plan.actual ?? null, message: plan.reason };
    case "not_applicable":
      return { ...base, status: "not_applicable", message: plan.reason };
    case "fail":
      return { id, status: "fail", expected: plan.expected ?? null, actual: plan.actual ?? null, message: plan.message };
    case "error":
      return { ...base, status: "error", message: plan.message };
    case "change":
      if (status === "failed") return { ...base, status: "error", message };
      if (check) return { id, status: "fail", expected: plan.expected ?? null, actual: plan.actual ?? null, message: plan.summary };
      return { id, status: "pass", expected: plan.expected ?? null, actual: plan.expected ?? null, message: `fixed: ${plan.summary}` };
  }
}
