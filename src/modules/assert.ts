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
    const failing = args.that.filter((expression) => !context.condition(expression));
    if (failing.length === 0) return { kind: "ok", reason: args.success_msg ?? `all ${args.that.length} condition${args.that.length === 1 ? "" : "s"} hold` };
    const which = failing.map((expression) => expression.source).join("; ");
    return { kind: "fail", message: args.fail_msg ?? `assertion failed: ${which}`, expected: which, actual: "false" };
  },
};
