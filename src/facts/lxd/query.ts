import { shellQuote } from "../../transport/shell-quote.js";
import { FactParseError } from "../errors.js";
import type { FactKind, FactValue } from "../types.js";

/**
 * The lxc client of the host: the snap's when it is installed, else the one on PATH. A probe
 * starts with this, so every LXD fact finds the same daemon (the snap's or the package's).
 */
const SNAP_SOCKET = "/var/snap/lxd/common/lxd/unix.socket";
const DEB_SOCKET = "/var/lib/lxd/unix.socket";

export const LXC = `"$( [ -x /snap/bin/lxc ] && echo /snap/bin/lxc || command -v lxc || echo lxc)"`;

/** What `lxc query PATH` gave: the JSON document, or why there is none (no LXD, endpoint absent). */
export type LxdQueryResult = { ok: true; value: FactValue } | { ok: false; reason: "no-lxd" | "error"; message: string };

/**
 * `lxc query PATH` over the unix socket (as root: the full, unfiltered view). The argument is the
 * API path with its query string, e.g. `/1.0/instances?recursion=1&all-projects=true`.
 */
export const lxdQuery: FactKind<LxdQueryResult> = {
  name: "lxd_query",
  probe: (apiPath) =>
    [
      `if ! command -v lxc >/dev/null 2>&1 && [ ! -x /snap/bin/lxc ]; then echo 'fleet:no-lxd'; exit 0; fi`,
      // no daemon socket where lxc looks: say so without starting lxc (a Go binary) for nothing
      `if [ -z "\${LXD_DIR:-}" ] && [ ! -S ${SNAP_SOCKET} ] && [ ! -S ${DEB_SOCKET} ]; then echo 'fleet:no-daemon'; exit 0; fi`,
      `${LXC} query ${shellQuote(apiPath)} </dev/null`,
    ].join("\n"),
  parse: (raw, apiPath) => {
    const text = raw.stdout.trim();
    if (text === "fleet:no-lxd") return { ok: false, reason: "no-lxd", message: "lxc is not installed" };
    if (text === "fleet:no-daemon") return { ok: false, reason: "error", message: `the LXD daemon is not running (no unix socket at ${SNAP_SOCKET} or ${DEB_SOCKET})` };
    if (raw.exitCode !== 0) return { ok: false, reason: "error", message: (raw.stderr.trim().split("\n").pop() ?? "").replace(/^Error: /, "") || `lxc query exited ${raw.exitCode}` };
    try {
      return { ok: true, value: JSON.parse(text) as FactValue };
    } catch {
      throw new FactParseError("lxd_query", apiPath, `not JSON: ${text.slice(0, 80)}`);
    }
  },
};
