import { shellQuote } from "../transport/shell-quote.js";
import { planRun, readOnlyRun, runArgsSchema, runFacts, type RunArgs } from "./support/run-command.js";
import { splitProblem, splitWords } from "./support/split-words.js";
import type { Module } from "./types.js";

export type CommandArgs = RunArgs;

/**
 * cmd split into words as Python's shlex does (quotes group, "#" is an ordinary character), every
 * word quoted, so `$HOME`, `*`, `|` and `>` reach the program as they are. `command` (the sh
 * builtin) makes the first word always a program: never a keyword (`if`), an assignment (`A=1`)
 * or a function.
 */
const argvScript = (args: CommandArgs): string => `command -- ${splitWords(args.cmd).map(shellQuote).join(" ")}`;

/** Runs a program with arguments, without a shell. */
export const commandModule: Module<CommandArgs> = {
  name: "command",
  description: "Run a program with arguments on the host, without a shell (no pipes, redirections or variables)",
  args: runArgsSchema((cmd) => {
    const problem = splitProblem(cmd);
    return problem === null ? null : `cannot split into words: ${problem}`;
  }),
  freeForm: "cmd",
  facts: runFacts,
  plan: (args, facts) => planRun(args, facts, argvScript(args), "run"),
  verifiable: false,
  readOnlyScript: (args) => readOnlyRun(args, argvScript(args)),
};
