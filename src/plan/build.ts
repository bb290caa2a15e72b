import type { HostResult, TaskResult } from "../engine/results.js";
import type { SecretMask } from "../engine/secret-mask.js";
import type { Vars } from "../inventory/types.js";
import type { Playbook, Task } from "../playbook/types.js";
import { canonicalJson, checksumOf, sha256 } from "./digest.js";
import type { PlanDocument, PlannedChange, PlannedHost } from "./types.js";

export interface PlanInput {
  playbook: Playbook;
  playbookDigest: string;
  extraVars: Vars;
  tags: string[];
  skipTags: string[];
  hosts: readonly HostResult[];
  createdAt: Date;
  mask: SecretMask;
  /** FLEET_PLAN_KEY: an HMAC key for the checksum (docs/plans.md). */
  key: string | undefined;
}

/** The plan of an audit: every change it would make, per host, secrets masked, with its checksum. Pure. */
export function buildPlan(input: PlanInput): PlanDocument {
  const hosts = input.hosts.flatMap((host): PlannedHost[] => {
    const changes = host.tasks.filter((result) => isOwnChange(result) && plannable(input.playbook, result)).map((result) => plannedChange(input.playbook, result));
    return changes.length === 0 ? [] : [{ name: host.host, cluster: host.cluster, fingerprint: fingerprintOf(changes), changes }];
  });
  const content = input.mask.deep({
    schema: "fleet-plan/v1" as const,
    createdAt: input.createdAt.toISOString(),
    playbook: { file: input.playbook.file, digest: input.playbookDigest },
    extraVarsDigest: extraVarsDigest(input.extraVars),
    tags: input.tags,
    skipTags: input.skipTags,
    hosts,
  });
  return { ...content, checksum: checksumOf(content, input.key) };
}

/** A change this host makes itself (not one another member of its cluster makes for it). */
export const isOwnChange = (result: TaskResult): boolean => result.status === "changed" && result.plan?.kind === "change" && result.delegatedTo === null;

/** An audit-only task (check_mode: true) reports a would-change that fleet run never makes: not a change to plan. */
export const plannable = (playbook: Playbook, result: TaskResult): boolean => taskOf(playbook, result)?.checkMode !== true;

export const factsDigest = (result: TaskResult): string => sha256(canonicalJson(result.factsRead ?? {}));

export const fingerprintOf = (changes: readonly Pick<PlannedChange, "factsDigest">[]): string => sha256(changes.map((change) => change.factsDigest).join("\n"));

export const extraVarsDigest = (extraVars: Vars): string => sha256(canonicalJson(extraVars));

function plannedChange(playbook: Playbook, result: TaskResult): PlannedChange {
  const plan = result.plan;
  if (plan?.kind !== "change") throw new Error("not a change");
  const task = taskOf(playbook, result);
  const play = playbook.plays[result.play];
  return {
    play: result.play,
    task: result.task,
    handler: result.handler,
    name: result.name,
    module: result.module,
    control: result.control?.id ?? null,
    summary: plan.summary,
    diff: plan.diff,
    commands: plan.commands.map((command) => ({ description: command.description, script: command.script })),
    become: task?.become ?? play?.become ?? null,
    becomeUser: task?.becomeUser ?? play?.becomeUser ?? null,
    timeoutSeconds: task?.timeoutSeconds ?? null,
    continueOnFailure: task?.ignoreErrors ?? false,
    factsDigest: factsDigest(result),
  };
}

export function taskOf(playbook: Playbook, result: Pick<TaskResult, "play" | "task" | "handler">): Task | undefined {
  const play = playbook.plays[result.play];
  return (result.handler ? play?.handlers : play?.tasks)?.[result.task];
}
