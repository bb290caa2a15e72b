/** Task results, host results and plans as fleet audit and a check-mode pass make them, for the tests of src/plan/decide.ts. */
import type { HostResult, TaskResult } from "../../../../src/engine/results.js";
import { factsDigest, fingerprintOf } from "../../../../src/plan/build.js";
import type { PlanDocument, PlannedChange, PlannedHost } from "../../../../src/plan/types.js";

export const script = (text: string) => [{ description: `run ${text}`, script: text }];

export function change(task: number, commands: string, facts: Record<string, string>, extra: Partial<TaskResult> = {}): TaskResult {
  return {
    play: 0,
    task,
    handler: false,
    name: `task ${task}`,
    module: "copy",
    control: null,
    status: "changed",
    message: `change ${task}`,
    diff: null,
    plan: { kind: "change", summary: `change ${task}`, diff: null, commands: script(commands), effects: [] },
    factsRead: facts,
    output: null,
    delegatedTo: null,
    verdict: null,
    ignored: false,
    ...extra,
  };
}

export const ok = (task: number, extra: Partial<TaskResult> = {}): TaskResult => ({ ...change(task, "", {}), status: "ok", message: "already right", plan: { kind: "ok", reason: "already right" }, ...extra });

export function host(name: string, tasks: TaskResult[], cluster: string | null = null, extra: Partial<HostResult> = {}): HostResult {
  return { host: name, cluster, status: "changed", error: null, interrupted: false, stopped: false, tasks, durationMs: 1, execs: 2, ...extra };
}

function plannedChange(task: TaskResult): PlannedChange {
  return { play: task.play, task: task.task, handler: task.handler, name: task.name, module: task.module, control: null, summary: task.message, diff: null, commands: task.plan?.kind === "change" ? task.plan.commands : [], become: null, becomeUser: null, timeoutSeconds: null, continueOnFailure: false, factsDigest: factsDigest(task) };
}

/** A plan holding exactly these changes of these hosts. */
export function planFor(hosts: Array<{ name: string; cluster?: string | null; changes: TaskResult[] }>): PlanDocument {
  const planned: PlannedHost[] = hosts.map((entry) => {
    const changes = entry.changes.map(plannedChange);
    return { name: entry.name, cluster: entry.cluster ?? null, fingerprint: fingerprintOf(changes), changes };
  });
  return { schema: "fleet-plan/v1", createdAt: "2026-12-03T00:00:00.000Z", playbook: { file: "p.yml", digest: "d" }, extraVarsDigest: "e", tags: [], skipTags: [], hosts: planned, checksum: "c" };
}

