import { shellQuote } from "../transport/shell-quote.js";
import { splitProblem, splitWords } from "./support/split-words.js";
import { planRun, runArgsSchema, runFacts, type RunArgs } from "./support/run-command.js";
import type { Module } from "./types.js";

export type CommandArgs = RunArgs;

/**
 * Runs a program with arguments, without a shell: cmd is split into words as Python's shlex does
 * (quotes group, "#" is an ordinary character) and every word is quoted, so `$HOME`, `*`, `|` and
 * `>` reach the program as they are. `command` (the sh builtin) makes the first word always a
 * program: never a keyword (`if`), an assignment (`A=1`) or a function.
 */
export const commandModule: Module<CommandArgs> = {
  name: "command",
  description: "Run a program with arguments on the host, without a shell (no pipes, redirections or variables)",
  args: runArgsSchema((cmd) => {
    const problem = splitProblem(cmd);
    return problem === null ? null : `cannot split into words: ${problem}`;
  }),
  freeForm: "cmd",
  facts: runFacts,
  plan: (args, facts) => planRun(args, facts, `command -- ${splitWords(args.cmd).map(shellQuote).join(" ")}`, "run"),
  verifiable: false,
};
