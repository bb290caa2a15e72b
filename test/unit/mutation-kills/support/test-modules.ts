/** Small modules for planner tests: each makes the engine take one path it must get right. */
import { z } from "zod";
import { fileContent } from "../../../../src/facts/file.js";
import { fact, type FactKind } from "../../../../src/facts/types.js";
import type { Module, Plan } from "../../../../src/modules/types.js";

const none = z.object({}).strict();
type None = z.infer<typeof none>;
const change = (summary: string, script = "true"): Plan => ({ kind: "change", summary, diff: null, commands: [{ script, description: summary }], effects: [] });

const base = { args: none, description: "test", facts: () => [] } as const;

export const throwingModule: Module<None> = { ...base, name: "throwing", verifiable: true, plan: () => { throw new Error("boom: the plan broke"); } };
export const notApplicableModule: Module<None> = { ...base, name: "na", verifiable: true, plan: () => ({ kind: "not_applicable", reason: "no LXD here" }) };
export const findingModule: Module<None> = { ...base, name: "finding", verifiable: true, plan: () => ({ kind: "fail", message: "a finding", expected: "x", actual: "y" }) };

/** A command-like module whose readOnlyScript has nothing to read: it is planned as a module. */
export const noScriptModule: Module<None> = { ...base, name: "noscript", verifiable: false, plan: () => change("act"), readOnlyScript: () => undefined as unknown as string };

/** Reads a fact whose probe output cannot be parsed. */
const brokenKind: FactKind<string> = { name: "broken_fact", probe: () => "echo garbage", parse: () => { throw new Error("cannot parse the probe"); } };
export const unreadableFactModule: Module<None> = {
  ...base,
  name: "unreadable_fact",
  verifiable: true,
  facts: () => [fact(brokenKind, "x")],
  plan: (_args, facts) => {
    const value = facts.get(fact(brokenKind, "x"));
    return { kind: "ok", reason: `read ${String(value)}` };
  },
};

/** Declares two facts, reads one: a change records only what it read. */
const pathArgs = z.object({ path: z.string(), other: z.string() }).strict();
export const readsOneModule: Module<z.infer<typeof pathArgs>> = {
  name: "reads_one",
  description: "test",
  args: pathArgs,
  verifiable: true,
  facts: (args) => [fact(fileContent, args.path), fact(fileContent, args.other)],
  plan: (args, facts) => {
    const now = facts.get(fact(fileContent, args.path));
    return now.state === "file" ? { kind: "ok", reason: "there" } : change(`create ${args.path}`, `: > '${args.path}'`);
  },
};

/** A change the first time it is planned, then what `after` says (read back after applying). */
export function changesOnce(name: string, after: () => Plan): Module<None> {
  let calls = 0;
  return { ...base, name, verifiable: true, plan: () => (calls++ === 0 ? change(`${name} once`) : after()) };
}

/** Asks the engine to judge a condition through its plan context. */
const conditionArgs = z.object({ condition: z.string() }).strict();
export const conditionModule: Module<z.infer<typeof conditionArgs>> = {
  name: "condition",
  description: "test",
  args: conditionArgs,
  verifiable: true,
  facts: () => [],
  plan: (args, _facts, context) => ({ kind: "ok", reason: `holds: ${String(context.condition(parseCondition(args.condition)))}` }),
};

import { parseExpression } from "../../../../src/playbook/expression/index.js";
const parseCondition = (source: string) => parseExpression(source);

export const testModules: Record<string, Module<unknown>> = {
  throwing: throwingModule as Module<unknown>,
  na: notApplicableModule as Module<unknown>,
  finding: findingModule as Module<unknown>,
  noscript: noScriptModule as Module<unknown>,
  unreadable_fact: unreadableFactModule as Module<unknown>,
  reads_one: readsOneModule as Module<unknown>,
  condition: conditionModule as Module<unknown>,
};
