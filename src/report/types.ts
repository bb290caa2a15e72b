import type { ControlStatus, TaskStatus } from "../engine/results.js";
import type { Diff } from "../modules/types.js";
import type { Control } from "../playbook/types.js";

/** The `fleet-report/v1` JSON document (CONTRACTS.md). Fields may be added, never renamed. */
export interface FleetReport {
  schema: "fleet-report/v1";
  mode: "audit" | "run";
  playbook: string;
  startedAt: string;
  finishedAt: string;
  interrupted: boolean;
  /** Set when the run was one shard of a split run (--shard I/N): `fleet report merge` checks every shard is there once. */
  shard?: { index: number; count: number };
  summary: {
    hosts: number;
    unreachable: number;
    /** Hosts with at least one changed (audit: would-change) task, failed hosts, and the task totals. */
    changed: number;
    failed: number;
    tasks: Record<TaskStatus, number>;
    controls: Record<ControlStatus, number>;
    score: number;
  };
  hosts: ReportHost[];
  controls: ReportControl[];
}

export interface ReportHost {
  name: string;
  cluster: string | null;
  /** The host's inventory groups (without all/ungrouped), for filtering reports. */
  groups: string[];
  status: "ok" | "changed" | "failed" | "unreachable";
  error: string | null;
  /** The run was interrupted before this host finished (its unjudged controls say so). */
  interrupted: boolean;
  /** Round trips on the host's connection (execs) and the host's wall time. */
  execs: number;
  durationMs: number;
  tasks: ReportTask[];
  controls: ReportControlResult[];
}

export interface ReportTask {
  name: string;
  module: string;
  control: string | null;
  status: TaskStatus;
  diff: Diff | null;
  message: string;
  delegatedTo: string | null;
}

export interface ReportControlResult {
  id: string;
  status: ControlStatus;
  expected: string | null;
  actual: string | null;
  message: string;
  /** Set when status is waived: the waiver that applies. */
  waiver?: { justification: string; expires: string | null };
}

export type ReportControl = Required<Pick<Control, "id" | "title" | "severity" | "scope">> & {
  remediation: string;
  section: string | null;
  rationale: string | null;
  fix: Control["fix"] | null;
  fixVar: string | null;
};
