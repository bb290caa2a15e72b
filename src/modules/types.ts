import type { z } from "zod";
import type { FactReader, FactRequest, FactValue } from "../facts/types.js";
import type { Expression } from "../playbook/expression/index.js";

/**
 * A module is the unit of content: declared arguments, the facts it needs, and a pure plan.
 * Everything a plan returns is plain data (no closures), so a plan can be printed, saved,
 * reviewed and applied later exactly as written.
 */
export interface Module<Args> {
  name: string;
  /** One line for --help and error hints. */
  description: string;
  /** unknown → Args; every problem is reported with its dot path. */
  args: z.ZodType<Args>;
  /** The argument a plain string stands for (`command: "ls"` → `{ cmd: "ls" }`). */
  freeForm?: keyof Args & string;
  /** Facts the plan reads. Deterministic in args. */
  facts(args: Args): FactRequest[];
  /** Pure. Never throws for a host state: an unexpected state is a `fail` plan. */
  plan(args: Args, facts: FactReader, context: PlanContext): Plan;
  /**
   * False for modules whose change is an action, not a state (command, shell): the engine then
   * does not re-plan after applying to prove idempotence.
   */
  verifiable: boolean;
  /**
   * For modules that run a command (command, shell): the sh command line a read-only task
   * (`changed_when: false`) runs. Such a task runs with the probes, in check mode too.
   */
  readOnlyScript?(args: Args): string;
}

export interface PlanContext {
  /** The inventory name of the host planned for (for messages only). */
  host: string;
  /** True in check mode (fleet audit / --check). Plans must not differ on it except in wording. */
  check: boolean;
  /** Reads a file of the playbook's templates/ directory, rendered; for the template module. */
  renderTemplate(path: string): string;
  /** Evaluates a condition in the task's variables (vars, facts, registered results); for assert. */
  condition(expression: Expression): boolean;
}

export interface Diff {
  before: string;
  after: string;
}

/** One step of a change: a POSIX sh script run as part of the task's apply script. */
export interface PlannedCommand {
  /** Runs under `set -e` in its own subshell; every value in it quoted with shellQuote. */
  script: string;
  /** What it does, in words, for -v and plan reviews ("write /etc/x atomically"). */
  description: string;
}

/** How a change alters a fact: later tasks of the same run plan against this predicted value. */
export interface FactEffect {
  request: FactRequest;
  value: FactValue;
}

export type Plan =
  | { kind: "ok"; reason: string; actual?: string }
  | {
      kind: "change";
      /** One line: what will change ("mode 0644 → 0600"). */
      summary: string;
      diff: Diff | null;
      commands: PlannedCommand[];
      effects: FactEffect[];
      /** For compliance reports: the value the control wants and the value found. */
      expected?: string;
      actual?: string;
    }
  /** The host is in a state the module judges wrong and will not (or cannot) change: assert, audits. */
  | { kind: "fail"; message: string; expected?: string; actual?: string }
  /** The check does not apply on this host (feature absent), with the reason. */
  | { kind: "not_applicable"; reason: string }
  /** The state could not be read (a daemon down, a tool failing): the check itself failed; the host's other tasks go on. */
  | { kind: "error"; message: string };

export const ok = (reason: string, actual?: string): Plan => (actual === undefined ? { kind: "ok", reason } : { kind: "ok", reason, actual });
