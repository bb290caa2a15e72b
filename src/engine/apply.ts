import type { PlannedCommand } from "../modules/types.js";
import { underTimeout } from "../facts/here-document.js";
import { isTransportError, type TransportError } from "../transport/errors.js";
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
  /** null when the connection broke: `lost` says how, and `outcomes` what was done before. */
  exec: ExecResult | null;
  lost?: TransportError;
}

/**
 * Applies consecutive changes of one host as one script: a section per task, each under `set -e`,
 * stopping at the first failing task so that nothing after it runs.
 */
export async function applyChanges(connection: Connection, changes: readonly ChangeToApply[], options: ExecOptions): Promise<AppliedChanges> {
  const built = buildSectionedScript(changes.map((change) => ({ body: changeBody(change), stopOnFailure: !change.continueOnFailure })));
  let exec: ExecResult;
  try {
    exec = await connection.exec("sh -s", { ...options, stdin: built.script });
  } catch (error) {
    if (!isTransportError(error) || error.partialOutput === undefined) throw error;
    return { outcomes: splitSections(built, changes.length, error.partialOutput.stdout, error.partialOutput.stderr), exec: null, lost: error };
  }
  return { outcomes: splitSections(built, changes.length, exec.stdout, exec.stderr), exec };
}

/** A task's commands under `set -e`; with a timeout, run by a timed sh that reads them from a here-document (never argv). */
export function changeBody(change: ChangeToApply): string {
  const body = `set -e\n${change.commands.map((command) => command.script).join("\n")}`;
  return change.timeoutSeconds === undefined ? body : underTimeout(body, change.timeoutSeconds);
}
