import type { FactValue } from "../facts/types.js";
import type { Vars } from "../inventory/types.js";
import { PendingValue } from "./pending.js";
import type { RegisteredResult } from "./results.js";

/** A registered variable: known, not known until the current round trip ends, or never set. */
export type RegisterState = { known: RegisteredResult } | { pending: string };

export interface ScopeParts {
  /** Everything below registered results in precedence, already merged (inventory < play vars < vars_files). */
  base: Vars;
  registered: ReadonlyMap<string, RegisterState>;
  extraVars: Vars;
  /** Gathered collections by name, or undefined while not gathered yet. */
  facts: ReadonlyMap<string, FactValue> | undefined;
  /** Extra names, e.g. the task's own `result` for changed_when/failed_when. */
  locals?: Record<string, unknown>;
}

/**
 * The variables a task sees, as one object for templates and expressions. Values that are not
 * known yet are getters throwing PendingValue, so the engine learns exactly when a task needs a
 * round trip to end first.
 */
export function taskScope(parts: ScopeParts): Record<string, unknown> {
  const scope: Record<string, unknown> = { ...parts.base };
  for (const [name, state] of parts.registered) {
    if ("known" in state) put(scope, name, state.known);
    else defineThrowing(scope, name, `the result registered as ${name} (task "${state.pending}")`);
  }
  for (const [name, value] of Object.entries(parts.extraVars)) put(scope, name, value);
  if (parts.facts === undefined) defineThrowing(scope, "facts", "facts");
  else put(scope, "facts", Object.fromEntries(parts.facts));
  for (const [name, value] of Object.entries(parts.locals ?? {})) put(scope, name, value);
  return scope;
}

/** Replaces a plain value or a getter alike (assignment would call a getter's missing setter). */
function put(scope: Record<string, unknown>, name: string, value: unknown): void {
  Object.defineProperty(scope, name, { value, enumerable: true, configurable: true, writable: true });
}

function defineThrowing(scope: Record<string, unknown>, name: string, what: string): void {
  Object.defineProperty(scope, name, {
    enumerable: true,
    configurable: true,
    get: () => {
      throw new PendingValue(what);
    },
  });
}
