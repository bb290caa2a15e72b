import type { PlannedCommand } from "../modules/types.js";
import { shellQuote } from "../transport/shell-quote.js";
import type { Connection, ExecOptions, ExecResult } from "../transport/types.js";
import { buildSectionedScript, splitSections, type SectionOutcome } from "./sectioned-script.js";

export interface ChangeToApply {
  commands: readonly PlannedCommand[];
  /** ignore_errors: the script goes on after this change fails. */
  continueOnFailure: boolean;
  timeoutSeconds: number | undefined;
}

export interface AppliedChanges {
  outcomes: SectionOutcome[];
  exec: ExecResult;
}

/**
 * Applies consecutive changes of one host as one script: a section per task, each under `set -e`,
 * stopping at the first failing task so that nothing after it runs.
 */
export async function applyChanges(connection: Connection, changes: readonly ChangeToApply[], options: ExecOptions): Promise<AppliedChanges> {
  const built = buildSectionedScript(changes.map((change) => ({ body: changeBody(change), stopOnFailure: !change.continueOnFailure })));
  const exec = await connection.exec("sh -s", { ...options, stdin: built.script });
  return { outcomes: splitSections(built, changes.length, exec.stdout, exec.stderr), exec };
}

export function changeBody(change: ChangeToApply): string {
  const body = `set -e\n${change.commands.map((command) => command.script).join("\n")}`;
  if (change.timeoutSeconds === undefined) return body;
  return `timeout -k 5 ${change.timeoutSeconds} sh -c ${shellQuote(body)}`;
}
