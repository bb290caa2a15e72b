import { factKey, type FactReader, type FactRequest, type FactValue } from "../../src/facts/types.js";
import type { Module, Plan, PlanContext } from "../../src/modules/types.js";

/**
 * Plans a module from data: raw arguments as a playbook gives them and fact values by key
 * ("file:/etc/x"), the way a unit test fixture states a host. Throws when the plan reads a fact
 * the fixture does not give (or the module did not declare).
 */
export function planModule<Args>(
  module: Module<Args>,
  rawArgs: unknown,
  facts: Record<string, FactValue>,
  context: Partial<PlanContext> = {},
): { args: Args; requested: string[]; plan: Plan } {
  const args = module.args.parse(rawArgs);
  const requested = module.facts(args).map(factKey);
  const reader: FactReader = {
    get<V extends FactValue>(request: FactRequest<V>): V {
      const key = factKey(request);
      if (!requested.includes(key)) throw new Error(`${module.name} read ${key} without declaring it`);
      if (!(key in facts)) throw new Error(`fixture lacks fact ${key}`);
      return facts[key] as V;
    },
  };
  const plan = module.plan(args, reader, { host: "h1", check: false, renderTemplate: () => "", condition: () => true, ...context });
  return { args, requested, plan };
}
