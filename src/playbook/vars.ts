import type { SourceLocation } from "../errors.js";
import type { Vars } from "../inventory/types.js";
import { renderValue, TemplateCode, TemplateError } from "./template.js";
import type { Play } from "./types.js";

export interface TaskVariablesInput {
  /** The host's merged inventory variables. */
  hostVars: Vars;
  play: Pick<Play, "defaults" | "vars" | "varsFiles" | "location">;
  /** -e values, already merged (parseExtraVars). */
  extraVars: Vars;
  /** Results of `register:` so far; may have getters (a result not known yet), which are kept, not read. */
  registered: Readonly<Record<string, unknown>>;
  /** Put under `facts` as given, never read here (it may throw until gathered). */
  facts: unknown;
}

/**
 * The variables a task sees on one host, lowest precedence first: play defaults < inventory host vars < play vars
 * < vars_files (in order) < registered results < extra vars; `facts` always holds the facts.
 *
 * A value written in the inventory, the play or -e may itself hold a template
 * (`mode: "{{ base_mode }}"`): it is rendered against these same variables when first read, as
 * Ansible does. Registered results and facts come from hosts and are never rendered.
 */
export function taskVariables(input: TaskVariablesInput): Record<string, unknown> {
  const variables: Record<string, unknown> = {};
  const define = (name: string, descriptor: PropertyDescriptor): void => {
    Object.defineProperty(variables, name, { ...descriptor, enumerable: true, configurable: true });
  };
  const addWritten = (vars: Vars, location: SourceLocation): void => {
    for (const [name, value] of Object.entries(vars)) {
      define(name, hasTemplate(value) ? { get: rendered(name, value, variables, location) } : { value, writable: true });
    }
  };
  addWritten(input.play.defaults, input.play.location);
  addWritten(input.hostVars, { file: "inventory" });
  addWritten(input.play.vars, input.play.location);
  for (const file of input.play.varsFiles) addWritten(file.vars, { file: file.path });
  // Copied as descriptors: a getter stays a getter, read only when the task uses it.
  for (const [name, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(input.registered))) define(name, descriptor);
  addWritten(input.extraVars, { file: "-e" });
  define("facts", { value: input.facts, writable: false });
  return variables;
}

/** A getter that renders the value once (a variable that refers to itself is an error). */
function rendered(name: string, value: unknown, variables: object, location: SourceLocation): () => unknown {
  let state: "new" | "rendering" | "done" = "new";
  let result: unknown;
  return () => {
    if (state === "done") return result;
    if (state === "rendering") {
      throw new TemplateError(TemplateCode.undefined, `variable ${name} refers to itself`, location, "a variable's value cannot use the variable itself, directly or through others");
    }
    state = "rendering";
    try {
      result = renderValue(value, variables, location, `variable ${name}`);
      state = "done";
      return result;
    } finally {
      // Not rendered (e.g. a fact not known yet): try again on the next read.
      if (state === "rendering") state = "new";
    }
  };
}

function hasTemplate(value: unknown): boolean {
  if (typeof value === "string") return value.includes("{{");
  if (Array.isArray(value)) return value.some(hasTemplate);
  if (typeof value === "object" && value !== null) return Object.values(value).some(hasTemplate);
  return false;
}
