import type { SourceLocation } from "../errors.js";
import type { Vars } from "../inventory/types.js";
import type { Expression } from "./expression/index.js";

/**
 * A playbook after parsing and validation: plain data, with the location of everything a later
 * error may need to point at. Argument values are still raw (templates unrendered): they are
 * rendered per host, against that host's variables and facts.
 */
export interface Playbook {
  /** The file as the user named it, and its absolute path. */
  file: string;
  path: string;
  /** Directory that holds templates/ and vars files given relative paths. */
  baseDir: string;
  plays: Play[];
}

export type Severity = "low" | "medium" | "high" | "critical";

/** A compliance control a task implements (CONTRACTS.md control ids). */
export interface Control {
  id: string;
  title: string;
  severity: Severity;
  /** host: judged on each host; cluster: once per LXD cluster; instance: over a host's instances. */
  scope: "host" | "cluster" | "instance";
  /** The section of the hardening guide it implements. */
  section?: string;
  rationale?: string;
  remediation?: string;
  /**
   * How fleet remediates it: auto (fleet run fixes it), opt-in (only when `fixVar` is true: the
   * fix is risky), audit (fleet only reports it), manual (a human must judge it).
   */
  fix?: ControlFix;
  fixVar?: string;
}

export type ControlFix = "auto" | "opt-in" | "audit" | "manual";

export interface Play {
  name: string;
  /** A selection pattern, as -l. */
  hosts: string;
  /** undefined: the host's ansible_become decides. */
  become: boolean | undefined;
  becomeUser: string | undefined;
  /** Lowest precedence, below the inventory (as Ansible's role defaults): a playbook's tunables. */
  defaults: Vars;
  vars: Vars;
  /** Loaded vars_files, in order (later wins). */
  varsFiles: Array<{ path: string; vars: Vars }>;
  /** Rolling batches: a host count or a percentage of the play's hosts; undefined: all at once. */
  serial: { count: number } | { percent: number } | undefined;
  maxFailPercentage: number | undefined;
  anyErrorsFatal: boolean;
  /** Variables whose values are secrets: masked wherever fleet shows or writes them (playbook/secrets.ts). */
  secretVars: string[];
  tasks: Task[];
  handlers: Task[];
  location: SourceLocation;
}

export interface Task {
  /** Position in its play's task list (or handler list), stable across runs. */
  index: number;
  name: string;
  module: string;
  /** Raw arguments (a free-form string already mapped to its key); strings may hold templates. */
  args: Record<string, unknown>;
  control: Control | null;
  tags: string[];
  /** All must hold (a list in YAML is an "and"). */
  when: Expression[];
  /** Handler names. */
  notify: string[];
  become: boolean | undefined;
  becomeUser: string | undefined;
  scope: "host" | "cluster";
  runOnce: boolean;
  /** true: always check mode; false: runs even under --check (read-only work); undefined: follows the run. */
  checkMode: boolean | undefined;
  /** A literal boolean, or conditions over the result (all must hold). */
  changedWhen: boolean | Expression[] | undefined;
  failedWhen: boolean | Expression[] | undefined;
  ignoreErrors: boolean;
  register: string | undefined;
  timeoutSeconds: number | undefined;
  /** no_log: the task's diff, output, facts and message never leave the engine (engine/mask.ts). */
  noLog: boolean;
  location: SourceLocation;
  /** Where each argument was written, by key, for errors found when rendering. */
  argLocations: Record<string, SourceLocation>;
}
