import { FleetError, type SourceLocation } from "../errors.js";
import { closestNames } from "../inventory/closest.js";
import { InventoryCode } from "../inventory/problems.js";

/**
 * Stable codes of playbook problems, each with a default hint the user can act on; a call site
 * may give a more specific one. All are category "parse" (exit 4) except where noted.
 */
export const PlaybookCode = {
  notFound: "PLAYBOOK_NOT_FOUND",
  unreadable: "PLAYBOOK_UNREADABLE",
  yamlSyntax: "PLAYBOOK_YAML_SYNTAX",
  unsupported: "PLAYBOOK_UNSUPPORTED",
  structure: "PLAYBOOK_STRUCTURE",
  unknownKey: "PLAYBOOK_UNKNOWN_KEY",
  duplicateKey: "PLAYBOOK_DUPLICATE_KEY",
  missingKey: "PLAYBOOK_MISSING_KEY",
  value: "PLAYBOOK_VALUE",
  noModule: "PLAYBOOK_NO_MODULE",
  twoModules: "PLAYBOOK_TWO_MODULES",
  unknownModule: "PLAYBOOK_UNKNOWN_MODULE",
  moduleArgs: "PLAYBOOK_MODULE_ARGS",
  unknownArgument: "PLAYBOOK_UNKNOWN_ARGUMENT",
  invalidArgument: "PLAYBOOK_INVALID_ARGUMENT",
  condition: "PLAYBOOK_CONDITION",
  unknownHandler: "PLAYBOOK_UNKNOWN_HANDLER",
  handler: "PLAYBOOK_HANDLER",
  varsFileMissing: "PLAYBOOK_VARS_FILE_MISSING",
  varsFile: "PLAYBOOK_VARS_FILE",
  templateMissing: "PLAYBOOK_TEMPLATE_MISSING",
  register: "PLAYBOOK_REGISTER",
  serial: "PLAYBOOK_SERIAL",
  maxFailPercentage: "PLAYBOOK_MAX_FAIL_PERCENTAGE",
  control: "PLAYBOOK_CONTROL",
  secretVars: "PLAYBOOK_SECRET_VARS",
  /** A bad -e value on the command line: category "usage" (exit 5). */
  extraVars: "PLAYBOOK_EXTRA_VARS",
  /** A bad -e @FILE: category "parse" (exit 4). */
  extraVarsFile: "PLAYBOOK_EXTRA_VARS_FILE",
} as const;

export type PlaybookCodeValue = (typeof PlaybookCode)[keyof typeof PlaybookCode];

const defaultHints: Record<PlaybookCodeValue, string> = {
  PLAYBOOK_NOT_FOUND: "give the playbook's path (relative to the current directory) or the name of a shipped playbook",
  PLAYBOOK_UNREADABLE: "check that the path names a readable file",
  PLAYBOOK_YAML_SYNTAX: "fix the YAML at this position (indentation, a missing ':' or an unclosed quote are the usual causes)",
  PLAYBOOK_UNSUPPORTED: "decrypt the value (ansible-vault decrypt) or keep secrets out of the playbook, e.g. in -e @FILE",
  PLAYBOOK_STRUCTURE: "a playbook is a list of plays (`- name: ...` / `hosts: ...` / `tasks: [...]`); see docs/playbooks.md",
  PLAYBOOK_UNKNOWN_KEY: "check the spelling; docs/playbooks.md lists the keys of plays, tasks and controls",
  PLAYBOOK_DUPLICATE_KEY: "remove one of the two: YAML keeps only the last value, silently dropping the first",
  PLAYBOOK_MISSING_KEY: "add the key; docs/playbooks.md lists what each part needs",
  PLAYBOOK_VALUE: "fix the value's type; docs/playbooks.md gives the type of every key",
  PLAYBOOK_NO_MODULE: "give the task one module key with its arguments, e.g. `file: {path: /etc/x, mode: \"0600\"}`",
  PLAYBOOK_TWO_MODULES: "a task runs exactly one module: split it into two tasks",
  PLAYBOOK_UNKNOWN_MODULE: "check the module name; `fleet run --help` lists the modules",
  PLAYBOOK_MODULE_ARGS: "write the module's arguments as a mapping (`module: {key: value}`)",
  PLAYBOOK_UNKNOWN_ARGUMENT: "check the argument's spelling against the module's arguments",
  PLAYBOOK_INVALID_ARGUMENT: "fix the argument's value to the type the module expects",
  PLAYBOOK_CONDITION: "write a condition such as `x == 1`, `facts.kernel.slab_present` or `r is changed`, without {{ }}",
  PLAYBOOK_UNKNOWN_HANDLER: "notify names a handler of the same play by its `name`",
  PLAYBOOK_HANDLER: "handlers are tasks with unique names, run at the end of the play when notified; they cannot notify",
  PLAYBOOK_VARS_FILE_MISSING: "vars_files paths are relative to the playbook's directory; check the path",
  PLAYBOOK_VARS_FILE: "a vars file holds a mapping of variable names to values (or nothing)",
  PLAYBOOK_TEMPLATE_MISSING: "template sources are looked up under templates/ beside the playbook; check the name",
  PLAYBOOK_REGISTER: "register takes a variable name: letters, digits and _, not starting with a digit",
  PLAYBOOK_SERIAL: "serial is a positive number of hosts (10) or a percentage of the play's hosts (\"25%\")",
  PLAYBOOK_MAX_FAIL_PERCENTAGE: "max_fail_percentage is a number from 0 to 100",
  PLAYBOOK_CONTROL: "a control is an id (LXD-MU-03) or a mapping {id, title, severity: low|medium|high|critical, scope: host|cluster|instance, section, rationale, remediation}",
  PLAYBOOK_SECRET_VARS: "secret_vars is a list of variable names (`secret_vars: [db_password, api_token]`); their values are masked in output and reports",
  PLAYBOOK_EXTRA_VARS: "-e takes KEY=VALUE pairs, @FILE (YAML or JSON) or an inline mapping such as '{\"key\": 1}'",
  PLAYBOOK_EXTRA_VARS_FILE: "an -e @FILE holds a mapping of variable names to values (YAML or JSON)",
};

/** A located problem of a playbook (or a file it reads), reported with exit 4. */
export function playbookProblem(code: PlaybookCodeValue, message: string, location: SourceLocation | undefined, hint: string = defaultHints[code]): FleetError {
  return new FleetError(code, message, location === undefined ? { category: "parse", hint } : { category: "parse", hint, location });
}

/** A problem with a command-line value (exit 5). */
export function playbookUsageProblem(code: PlaybookCodeValue, message: string, hint: string = defaultHints[code]): FleetError {
  return new FleetError(code, message, { category: "usage", hint });
}

/**
 * parseYaml (shared with the inventory) reports with inventory codes; in a playbook the same
 * problems carry playbook codes, and hints that speak of playbooks.
 */
export function asPlaybookProblem(problem: FleetError, unsupportedHint: string = defaultHints.PLAYBOOK_UNSUPPORTED): FleetError {
  if (problem.code === InventoryCode.unsupported) return playbookProblem(PlaybookCode.unsupported, problem.message, problem.location, unsupportedHint);
  if (problem.code !== InventoryCode.yamlSyntax) return problem;
  const genericHint = problem.hint === undefined || problem.hint.startsWith("fix the YAML at this position");
  return playbookProblem(PlaybookCode.yamlSyntax, problem.message, problem.location, genericHint ? defaultHints.PLAYBOOK_YAML_SYNTAX : problem.hint);
}

/** "did you mean `x`?" when a candidate is close, else `otherwise`. */
export function didYouMean(word: string, candidates: Iterable<string>, otherwise: string): string {
  const close = closestNames(word, candidates, 3);
  if (close.length === 0) return otherwise;
  return `did you mean ${close.map((name) => `\`${name}\``).join(" or ")}?`;
}
