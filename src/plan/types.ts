import type { Diff, PlannedCommand } from "../modules/types.js";

/** A reviewed remediation plan, `fleet-plan/v1`: what `fleet audit --plan-out` saw to change, for `fleet apply`. */
export interface PlanDocument {
  schema: "fleet-plan/v1";
  createdAt: string;
  /** The playbook as given on the command line, and a digest of it, its vars files and its templates/. */
  playbook: { file: string; digest: string };
  /** A digest of the -e values the plan was made with (apply must be given the same). */
  extraVarsDigest: string;
  /** -t / --skip-tags of the audit: apply plans again with the same selection. */
  tags: string[];
  skipTags: string[];
  /** Hosts with at least one change; hosts that were compliant are not in the plan. */
  hosts: PlannedHost[];
  /** Over everything above (docs/plans.md: what it protects against, and what not). */
  checksum: string;
}

export interface PlannedHost {
  name: string;
  cluster: string | null;
  /** sha256 over the fingerprints of its changes: the state of the host the plan was made from. */
  fingerprint: string;
  changes: PlannedChange[];
}

export interface PlannedChange {
  play: number;
  task: number;
  handler: boolean;
  name: string;
  module: string;
  control: string | null;
  summary: string;
  diff: Diff | null;
  /** Secret values are masked (********): apply runs the same commands planned again with the real values. */
  commands: PlannedCommand[];
  become: boolean | null;
  becomeUser: string | null;
  timeoutSeconds: number | null;
  continueOnFailure: boolean;
  /** sha256 of the facts this change was planned from, as read from the host. */
  factsDigest: string;
}

/** The environment variable holding the key of keyed (HMAC) plan checksums. */
export const PLAN_KEY_ENV = "FLEET_PLAN_KEY";

/** "5 changes on 3 hosts". */
export function planSize(plan: Pick<PlanDocument, "hosts">): string {
  const changes = plan.hosts.reduce((sum, host) => sum + host.changes.length, 0);
  return `${changes} change${changes === 1 ? "" : "s"} on ${plan.hosts.length} host${plan.hosts.length === 1 ? "" : "s"}`;
}
