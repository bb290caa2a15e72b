/**
 * The lxd snap's daemon options (`snap get lxd daemon.syslog` ...): what the snap's daemon.start
 * turns into `lxd --group G --syslog --verbose` the next time the daemon starts. snapd exits with
 * an error for an option that was never set; that means the default.
 */
import { SBIN_PATH } from "../sbin-path.js";
import { FactParseError } from "../errors.js";
import type { FactKind, RawProbe } from "../types.js";

/** The options fleet reads, and their defaults (snapcraft.yaml of canonical/lxd-pkg-snap). */
export const SNAP_DAEMON_OPTIONS = {
  "daemon.group": "lxd",
  "daemon.user.group": "lxd",
  "daemon.syslog": "false",
  "daemon.verbose": "false",
  "daemon.debug": "false",
} as const;

export type SnapDaemonOption = keyof typeof SNAP_DAEMON_OPTIONS;

export type LxdSnapDaemon =
  | { state: "no_snap" }
  | { state: "not_installed" }
  /** snap ran and failed for another reason (snapd not running...): what it said. */
  | { state: "error"; message: string }
  /** The options that are set, as `snap get` prints them; an option never set is absent. */
  | { state: "options"; options: Record<string, string> };

export const LXD_SNAP_DAEMON_ARG = "";

const NO_SNAP = "fleet:no-snap";

const PROBE = `${SBIN_PATH}
command -v snap >/dev/null 2>&1 || { echo ${NO_SNAP}; exit 0; }
for fleet_key in ${Object.keys(SNAP_DAEMON_OPTIONS).join(" ")}; do
  if fleet_value=$(snap get lxd "$fleet_key" 2>&1 </dev/null); then
    printf 'set %s %s\\n' "$fleet_key" "$fleet_value"
  else
    printf 'err %s %s\\n' "$fleet_key" "$(printf '%s' "$fleet_value" | tr '\\n' ' ')"
  fi
done`;

export const lxdSnapDaemon: FactKind<LxdSnapDaemon> = {
  name: "lxd_snap_daemon",
  probe: () => PROBE,
  parse: (raw: RawProbe, arg: string) => parseSnapDaemon(raw.stdout, arg),
};

/** Pure: lines `set KEY VALUE` / `err KEY MESSAGE` → the options that are set. */
export function parseSnapDaemon(stdout: string, arg = LXD_SNAP_DAEMON_ARG): LxdSnapDaemon {
  if (stdout.trim() === NO_SNAP) return { state: "no_snap" };
  const options: Record<string, string> = {};
  for (const line of stdout.split("\n")) {
    if (line === "") continue;
    const match = /^(set|err) (\S+) ?(.*)$/.exec(line);
    if (match === null) throw new FactParseError("lxd_snap_daemon", arg, `unexpected line ${JSON.stringify(line)}`);
    const [, outcome, name = "", text = ""] = match;
    if (outcome === "set") {
      options[name] = text;
      continue;
    }
    const message = text.trim().replace(/^error: /, "");
    if (/has no "[^"]*" configuration option/.test(message)) continue; // never set: the default
    if (/is not installed|no matching snaps installed|not found/.test(message)) return { state: "not_installed" };
    return { state: "error", message: message || `snap get lxd ${name} failed` };
  }
  return { state: "options", options };
}

/** An option's value in effect: as set, or its default when never set or set to "". */
export function snapDaemonOption(options: Record<string, string>, name: SnapDaemonOption): string {
  const value = options[name];
  return value === undefined || value === "" ? SNAP_DAEMON_OPTIONS[name] : value;
}

/**
 * The snap's configure hook reads booleans with get_bool: true/1/yes/on and false/0/no/off (any
 * case); anything else is "not set", so the default (false).
 */
export function snapBoolean(value: string): boolean {
  return ["true", "1", "yes", "on"].includes(value.toLowerCase());
}
