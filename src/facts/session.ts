import { FactParseError } from "./errors.js";
import type { FactKind } from "./types.js";

/**
 * Who the commands of a host run as, and the umask they inherit: what a file or directory that a
 * module creates gets when the task does not set its owner, group or mode. Modules read it to
 * predict the stat of what they create (their `effects`). It assumes the probe runs as the apply
 * script will (same become user).
 */
export type Session = {
  user: string;
  group: string;
  /** Four octal digits: "0022". */
  umask: string;
};

export const session: FactKind<Session> = {
  name: "session",
  probe: () => `id -un && id -gn && umask`,
  parse: (raw, arg) => parseSession(raw.stdout, raw.exitCode, arg),
};

/** The one argument of the session fact: it has no subject. */
export const SESSION_ARG = "";

export function parseSession(stdout: string, exitCode: number, arg: string): Session {
  const [user, group, umask, ...rest] = stdout.trimEnd().split("\n").map((line) => line.trim());
  if (exitCode !== 0 || user === undefined || user === "" || group === undefined || group === "" || umask === undefined || rest.length > 0 || !/^[0-7]{1,4}$/.test(umask)) {
    throw new FactParseError("session", arg, `unexpected output of id -un, id -gn, umask: ${JSON.stringify(stdout)}`);
  }
  return { user, group, umask: umask.padStart(4, "0") };
}
