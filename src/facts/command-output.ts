import { shellQuote } from "../transport/shell-quote.js";
import { underTimeout } from "./here-document.js";
import type { FactKind } from "./types.js";

/**
 * The output of a read-only command task (changed_when: false): it runs with the probes, in check
 * mode too, and its result is what the task registers. The argument is JSON {cmd, chdir, timeout},
 * so equal commands of different tasks share nothing but their text.
 */
export interface CommandOutput {
  [key: string]: number | string;
  rc: number;
  stdout: string;
  stderr: string;
}

export interface ReadOnlyCommand {
  /** A POSIX sh command line. */
  script: string;
  chdir?: string | undefined;
  timeoutSeconds?: number | undefined;
  /** Makes the fact key unique to its task. */
  task: string;
}

export const commandOutput: FactKind<CommandOutput> = {
  name: "command_output",
  probe: (arg) => {
    const command = JSON.parse(arg) as ReadOnlyCommand;
    const inDir = command.chdir === undefined ? command.script : `cd -- ${shellQuote(command.chdir)} && ${command.script}`;
    return command.timeoutSeconds === undefined ? inDir : underTimeout(inDir, command.timeoutSeconds);
  },
  parse: (raw) => ({ rc: raw.exitCode, stdout: raw.stdout, stderr: raw.stderr }),
};

export const commandOutputArg = (command: ReadOnlyCommand): string => JSON.stringify(command);
