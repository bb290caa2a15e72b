import type { Module } from "./types.js";

/** The modules a playbook can name. Add one line per module. */
const BUILTIN: readonly Module<never>[] = [];

export type ModuleRegistry = ReadonlyMap<string, Module<unknown>>;

export function builtinModules(): ModuleRegistry {
  return new Map(BUILTIN.map((module) => [module.name, module as unknown as Module<unknown>]));
}
