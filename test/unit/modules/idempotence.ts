import { expect } from "vitest";
import { factKey, type FactValue } from "../../../src/facts/types.js";
import type { Module, Plan, PlanContext } from "../../../src/modules/types.js";
import { planModule } from "../../support/plan-module.js";

/** The facts as the change predicts them: each effect replaces the value of its fact. */
export function withEffects(facts: Record<string, FactValue>, plan: Plan): Record<string, FactValue> {
  if (plan.kind !== "change") throw new Error(`expected a change, got ${JSON.stringify(plan)}`);
  return { ...facts, ...Object.fromEntries(plan.effects.map((effect) => [factKey(effect.request), effect.value])) };
}

/**
 * The engine's idempotence check, on data: plan, apply the change's effects to the facts, plan
 * again. Returns both plans: the test says what the second must be (ok, mostly).
 */
export function planTwice<Args>(
  module: Module<Args>,
  rawArgs: unknown,
  facts: Record<string, FactValue>,
  context: Partial<PlanContext> = {},
): { first: Plan; second: Plan } {
  const first = planModule(module, rawArgs, facts, context).plan;
  expect(first.kind).toBe("change");
  const second = planModule(module, rawArgs, withEffects(facts, first), context).plan;
  return { first, second };
}
