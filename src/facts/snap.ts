import { shellQuote } from "../transport/shell-quote.js";
import { FactParseError } from "./errors.js";
import { SBIN_PATH } from "./sbin-path.js";
import type { FactKind } from "./types.js";

export const NO_SNAP = "fleet:no-snap";

/** `snap` is run only when the command exists; otherwise the probe prints NO_SNAP. */
export const withSnap = (command: string): string => `${SBIN_PATH}; command -v snap >/dev/null 2>&1 || { echo ${NO_SNAP}; exit 0; }; ${command}`;

/** The options of one snap, from `snap get -d NAME`: dotted key → value as text. */
export type SnapConfig =
  | { state: "no_snap" }
  | { state: "not_installed" }
  /** snap ran and failed for another reason (snapd down...): what it said. */
  | { state: "error"; message: string }
  /** A key never set is absent. */
  | { state: "config"; options: Record<string, string> };

export const snapConfig: FactKind<SnapConfig> = {
  name: "snap_config",
  probe: (name) => withSnap(`snap get -d ${shellQuote(name)}`),
  parse: (raw, name) => {
    if (raw.stdout.trim() === NO_SNAP) return { state: "no_snap" };
    if (raw.exitCode !== 0) return snapFailure(raw.stderr, raw.exitCode);
    let document: unknown;
    try {
      document = JSON.parse(raw.stdout);
    } catch {
      throw new FactParseError("snap_config", name, `snap get -d printed no JSON: ${JSON.stringify(raw.stdout.slice(0, 200))}`);
    }
    if (!isRecord(document)) throw new FactParseError("snap_config", name, "snap get -d printed JSON that is not an object");
    return { state: "config", options: flattenOptions(document) };
  },
};

/**
 * snapd nests options by the dots of their keys (`snap set lxd daemon.syslog=true` reads back as
 * {"daemon": {"syslog": true}}); the testbed's stand-in prints them flat ({"daemon.syslog":
 * "true"}). Both become {"daemon.syslog": "true"}. snapd stores a value as JSON when it parses as
 * JSON, so leaves are booleans, numbers, strings or lists: each becomes text (optionText).
 */
export function flattenOptions(document: Record<string, unknown>, prefix = ""): Record<string, string> {
  const options: Record<string, string> = {};
  for (const [key, value] of Object.entries(document)) {
    const path = `${prefix}${key}`;
    if (isRecord(value)) Object.assign(options, flattenOptions(value, `${path}.`));
    else if (value !== null && value !== undefined) options[path] = optionText(value);
  }
  return options;
}

/** A stored option value as text: strings as they are, anything else as JSON (true, 1.5, [1,2]). */
export const optionText = (value: unknown): string => (typeof value === "string" ? value : JSON.stringify(value));

export function snapFailure(stderr: string, exitCode: number): { state: "not_installed" } | { state: "error"; message: string } {
  const message = stderr.trim();
  if (/is not installed|no matching snaps installed|not found/.test(message)) return { state: "not_installed" };
  return { state: "error", message: message || `snap exited with status ${exitCode}` };
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
