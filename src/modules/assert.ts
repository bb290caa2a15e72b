import { z } from "zod";
import { ExpressionError, parseExpression, type Expression } from "../playbook/expression/index.js";
import type { Module } from "./types.js";

/** One expression, parsed when the arguments are validated so a syntax error is found at load time. */
const condition = z.string().transform((source, context): Expression => {
  try {
    return parseExpression(source);
  } catch (error) {
    context.addIssue({ code: "custom", message: error instanceof ExpressionError ? `${error.message} (column ${error.column})${error.hint ? `; ${error.hint}` : ""}` : String(error) });
    return z.NEVER;
  }
});

const assertArgs = z
  .object({
    that: z.union([condition.transform((one) => [one]), z.array(condition).min(1)]),
    fail_msg: z.string().optional(),
    success_msg: z.string().optional(),
    /**
     * What must hold for `that` to be judged at all (e.g. the daemon answers): when it does not,
     * the check is an error (the state could not be read), not a finding and not "not applicable".
     */
    requires: z.union([condition.transform((one) => [one]), z.array(condition)]).optional(),
    /** null (a fact that holds no message while the requirement is met) is as if not given. */
    requires_msg: z.string().nullable().optional(),
  })
  .strict();

export type AssertArgs = z.infer<typeof assertArgs>;

/** Conditions over facts and variables that must hold: for controls that are only audited. */
export const assertModule: Module<AssertArgs> = {
  name: "assert",
  description: "check that conditions over facts and variables hold; changes nothing",
  args: assertArgs,
  freeForm: "that",
  verifiable: true,
  facts: () => [],
  plan: (args, _facts, context) => {
    const unmet = (args.requires ?? []).filter((expression) => !context.condition(expression));
    if (unmet.length > 0) return { kind: "error", message: args.requires_msg ?? `cannot judge: ${unmet.map((expression) => expression.source).join("; ")} does not hold` };
    const failing = args.that.filter((expression) => !context.condition(expression));
    if (failing.length === 0) return { kind: "ok", reason: args.success_msg ?? `all ${args.that.length} condition${args.that.length === 1 ? "" : "s"} hold` };
    const which = failing.map((expression) => expression.source).join("; ");
    return { kind: "fail", message: args.fail_msg ?? `assertion failed: ${which}`, expected: which, actual: "false" };
  },
};
