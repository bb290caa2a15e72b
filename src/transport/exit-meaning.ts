import type { ExecResult } from "./types.js";

/** Exit statuses whose meaning is fixed by POSIX shells and OpenSSH, in words. */
const EXIT_MEANINGS: Record<number, string> = {
  126: "found but not executable (permission denied or not a binary)",
  127: "command not found",
  255: "exited 255 (often an ssh run inside the command failing)",
};

/** One line that says why a command did not succeed, or null when it did. */
export function describeFailure(result: ExecResult, timeoutMs?: number): string | null {
  if (result.becomeFailure !== null) return `become failed: ${result.becomeFailure}`;
  if (result.timedOut) {
    const after = timeoutMs === undefined ? "timed out" : `timed out after ${timeoutMs / 1000} s`;
    return result.killUnanswered ? `${after}; the host did not answer the kill (frozen or cut off): the command may still be running there` : `${after}; killed`;
  }
  if (result.signal !== null) return `killed by signal ${result.signal}`;
  if (result.exitCode === 0) return null;
  if (result.exitCode === null) return "ended without an exit status";
  const meaning = EXIT_MEANINGS[result.exitCode];
  if (meaning) return `exit ${result.exitCode}: ${meaning}`;
  if (result.exitCode > 128 && result.exitCode < 160) return `exit ${result.exitCode}: killed by signal ${result.exitCode - 128}`;
  return `exit ${result.exitCode}`;
}

/** The last lines of stderr, for summaries. */
export function stderrTail(stderr: string, lines = 5): string {
  return stderr.trimEnd().split("\n").slice(-lines).join("\n");
}
