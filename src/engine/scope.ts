import type { FactValue } from "../facts/types.js";
import type { Vars } from "../inventory/types.js";
import { taskVariables } from "../playbook/vars.js";
import type { Play } from "../playbook/types.js";
import { PendingValue } from "./pending.js";
import type { RegisteredResult } from "./results.js";

/** A registered variable: known, or not known until the current round trip ends. */
export type RegisterState =
  | { known: RegisteredResult }
  /** `since`: the index of the registering task; tasks before it still see `previous` (a name may be registered again). */
  | { pending: string; afterGather: boolean; since: number; previous: RegisterState | undefined };

/**
 * The registered variables as a task sees them: a name that a task at or after it will register
 * again still holds what it held before (Ansible's reading of a reused register name).
 */
export function registeredBefore(registered: ReadonlyMap<string, RegisterState>, taskIndex: number): ReadonlyMap<string, RegisterState> {
  let view: Map<string, RegisterState> | undefined;
  for (const [name, state] of registered) {
    let visible: RegisterState | undefined = state;
    while (visible !== undefined && "pending" in visible && visible.since >= taskIndex) visible = visible.previous;
    if (visible === state) continue;
    view ??= new Map(registered);
    if (visible === undefined) view.delete(name);
    else view.set(name, visible);
  }
  return view ?? registered;
}

export interface ScopeParts {
  /** The host's inventory variables (and the magic ones: inventory_hostname, group_names). */
  hostVars: Vars;
  play: Pick<Play, "defaults" | "vars" | "varsFiles" | "location">;
  registered: ReadonlyMap<string, RegisterState>;
  extraVars: Vars;
  /** Gathered collections by name, or undefined while not gathered yet. */
  facts: ReadonlyMap<string, FactValue> | undefined;
  /** Extra names, e.g. the task's own `result` for changed_when/failed_when. */
  locals?: Record<string, unknown>;
}

/**
 * The variables a task sees (playbook/vars.ts decides precedence). Values that are not known yet
 * are getters throwing PendingValue, so the engine learns exactly when a task needs a round trip
 * to end first.
 */
export function taskScope(parts: ScopeParts): Record<string, unknown> {
  const registered: Record<string, unknown> = {};
  for (const [name, state] of parts.registered) {
    if ("known" in state) registered[name] = state.known;
    else throwingGetter(registered, name, `the result registered as ${name} (task "${state.pending}")`, state.afterGather);
  }
  for (const [name, value] of Object.entries(parts.locals ?? {})) Object.defineProperty(registered, name, { value, enumerable: true, configurable: true, writable: true });
  let facts: Record<string, unknown>;
  if (parts.facts === undefined) {
    // any read of facts.NAME before the first gather waits for it
    const pending = (key: string | symbol): never => {
      throw new PendingValue(`facts${typeof key === "string" ? `.${key}` : ""}`, true);
    };
    // every way of looking into it waits: property reads, `in`, own-key checks (the expression language uses Object.hasOwn)
    facts = new Proxy({}, { get: (_target, key) => pending(key), has: (_target, key) => pending(key), getOwnPropertyDescriptor: (_target, key) => pending(key), ownKeys: () => pending("*") });
  } else facts = Object.fromEntries(parts.facts);
  return taskVariables({ hostVars: parts.hostVars, play: parts.play, extraVars: parts.extraVars, registered, facts });
}

function throwingGetter(holder: Record<string, unknown>, name: string, what: string, knownAfterGather: boolean): void {
  Object.defineProperty(holder, name, {
    enumerable: true,
    configurable: true,
    get: () => {
      throw new PendingValue(what, knownAfterGather);
    },
  });
}
