import { createHash } from "node:crypto";

/**
 * Starts a shell that reads its script from a here-document, so that the script never appears on
 * a command line: `sh -c SCRIPT` would show SCRIPT (and a secret in it) to everyone on the host
 * through ps and /proc/PID/cmdline. The delimiter is quoted, so nothing in the script is expanded,
 * and derived from the script (plans stay deterministic) without being one of its lines. The
 * script runs as one `{ … }` group, read whole before it runs, with its stdin put back to the
 * caller's (the here-document is only the script).
 *
 * `shell` is the command that starts the shell and takes `-s`: `/bin/sh`, `timeout -k 5 9 sh`.
 */
export function shellReadingScript(shell: string, script: string, delimiter: string = delimiterFor(script)): string {
  if (script.split("\n").includes(delimiter)) throw new Error(`here-document delimiter ${delimiter} occurs in the script`);
  return `${shell} -s 3<&0 <<'${delimiter}'\n{\n${script}\n} <&3 3<&-\n${delimiter}`;
}

/**
 * A piece of sh run under `timeout` (TERM after `seconds`, KILL 5 s later, to the whole process
 * group timeout starts), without putting it on a command line as `timeout … sh -c SCRIPT` would.
 */
export function underTimeout(script: string, seconds: number, delimiter?: string): string {
  return shellReadingScript(`timeout -k 5 ${seconds} sh`, script, delimiter);
}

function delimiterFor(script: string): string {
  const lines = new Set(script.split("\n"));
  const base = `FLEET_END_${createHash("sha256").update(script).digest("hex").slice(0, 16)}`;
  let delimiter = base;
  for (let suffix = 1; lines.has(delimiter); suffix++) delimiter = `${base}_${suffix}`;
  return delimiter;
}
