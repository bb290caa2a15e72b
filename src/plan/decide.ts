import type { HostResult, TaskResult } from "../engine/results.js";
import type { PlannedCommand } from "../modules/types.js";
import { canonicalJson } from "./digest.js";
import { factsDigest, fingerprintOf, isOwnChange } from "./build.js";
import type { PlannedChange, PlannedHost, PlanDocument } from "./types.js";

/** A planned change and the commands to run for it now: the same as planned, with the real secret values. */
export interface ChangeToRun {
  planned: PlannedChange;
  commands: PlannedCommand[];
}

export type HostDecision =
  | { host: string; kind: "apply"; changes: ChangeToRun[]; notInPlan: number }
  | { host: string; kind: "drifted"; reason: string }
  | { host: string; kind: "unreachable"; reason: string };

/**
 * For each host of the plan, from a check-mode pass made just now: apply (every planned change is
 * still planned, from the same facts, with the same commands) or drifted (anything differs: the
 * host is left alone). Changes found now that the plan does not hold are never applied. Pure.
 */
export function decideHosts(plan: PlanDocument, now: readonly HostResult[], mask: <T>(value: T) => T, plannable: (task: TaskResult) => boolean): HostDecision[] {
  const byName = new Map(now.map((host) => [host.host, host]));
  return plan.hosts.map((planned) => decideHost(planned, byName, now, mask, plannable));
}

function decideHost(planned: PlannedHost, byName: ReadonlyMap<string, HostResult>, all: readonly HostResult[], mask: <T>(value: T) => T, plannable: (task: TaskResult) => boolean): HostDecision {
  const host = byName.get(planned.name);
  if (host === undefined) return { host: planned.name, kind: "unreachable", reason: "not reached (not selected, or the run was interrupted)" };
  if (host.status === "unreachable") return { host: planned.name, kind: "unreachable", reason: host.error ?? "unreachable" };
  if (host.interrupted) return { host: planned.name, kind: "unreachable", reason: host.error ?? "the run was interrupted" };
  const changes: ChangeToRun[] = [];
  const nowDigests: string[] = [];
  for (const change of planned.changes) {
    const current = counterpart(change, host, all);
    const label = `"${change.name}"`;
    if (current === undefined) return drifted(planned, `${label} was not planned again (the task did not run)`);
    if (!isOwnChange(current)) return drifted(planned, `${label} would now be ${current.status}${current.message ? `: ${mask(current.message)}` : ""}`);
    const digest = factsDigest(current);
    nowDigests.push(digest);
    if (digest !== change.factsDigest) return drifted(planned, `${label}: the state it was planned from has changed`);
    const commands = current.plan?.kind === "change" ? current.plan.commands : [];
    if (canonicalJson(mask(commands.map(({ description, script }) => ({ description, script })))) !== canonicalJson(change.commands)) return drifted(planned, `${label}: the commands it would run now differ from the plan`);
    changes.push({ planned: change, commands: [...commands] });
  }
  // the host's fingerprint, made of the same digests: a second look at the whole state
  if (fingerprintOf(nowDigests.map((factsDigest) => ({ factsDigest }))) !== planned.fingerprint) return drifted(planned, "the host's state differs from the plan's fingerprint");
  const inPlan = new Set(planned.changes.map(keyOf));
  const notInPlan = host.tasks.filter((task) => isOwnChange(task) && plannable(task) && !inPlan.has(keyOf(task))).length;
  return { host: planned.name, kind: "apply", changes, notInPlan };
}

const drifted = (planned: PlannedHost, reason: string): HostDecision => ({ host: planned.name, kind: "drifted", reason });

const keyOf = (task: Pick<TaskResult, "play" | "task" | "handler">): string => `${task.play}/${task.handler ? "h" : "t"}${task.task}`;

/**
 * The task's result now. A task run once for a cluster (or a batch) may be run this time by
 * another member: its result there is the one to compare.
 */
function counterpart(change: PlannedChange, host: HostResult, all: readonly HostResult[]): TaskResult | undefined {
  const same = (task: TaskResult): boolean => keyOf(task) === keyOf(change);
  const own = host.tasks.find(same);
  if (own === undefined || own.delegatedTo === null) return own;
  const peers = [...all.filter((other) => host.cluster !== null && other.cluster === host.cluster), ...all];
  return peers.flatMap((other) => other.tasks.filter(same)).find((task) => task.delegatedTo === null) ?? own;
}
