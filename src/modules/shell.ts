import { shellReadingScript } from "../facts/here-document.js";
import { planRun, readOnlyRun, runArgsSchema, runFacts, type RunArgs } from "./support/run-command.js";
import type { Module } from "./types.js";

export type ShellArgs = RunArgs;

/**
 * cmd in its own /bin/sh, so the apply script's `set -e` and variables do not leak into it: the
 * task fails exactly when the script's exit status is not 0. The shell reads cmd from a
 * here-document, not from `-c`: a command line is visible to every user of the host (ps), and cmd
 * may hold a secret.
 */
const shScript = (args: ShellArgs): string => shellReadingScript("/bin/sh", args.cmd);

/** Runs cmd as a /bin/sh script. */
export const shellModule: Module<ShellArgs> = {
  name: "shell",
  description: "Run a /bin/sh script on the host (pipes, redirections and variables work)",
  args: runArgsSchema(() => null),
  freeForm: "cmd",
  facts: runFacts,
  plan: (args, facts) => planRun(args, facts, shScript(args), "run with sh"),
  verifiable: false,
  readOnlyScript: (args) => readOnlyRun(args, shScript(args)),
};
