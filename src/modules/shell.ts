import { shellQuote } from "../transport/shell-quote.js";
import { planRun, runArgsSchema, runFacts, type RunArgs } from "./support/run-command.js";
import type { Module } from "./types.js";

export type ShellArgs = RunArgs;

/**
 * Runs cmd as a /bin/sh script. It runs in its own `sh -c`, so the apply script's `set -e` and
 * variables do not leak into it: the task fails exactly when the script's exit status is not 0.
 */
export const shellModule: Module<ShellArgs> = {
  name: "shell",
  description: "Run a /bin/sh script on the host (pipes, redirections and variables work)",
  args: runArgsSchema(() => null),
  freeForm: "cmd",
  facts: runFacts,
  plan: (args, facts) => planRun(args, facts, `/bin/sh -c ${shellQuote(args.cmd)}`, "run with sh"),
  verifiable: false,
};
