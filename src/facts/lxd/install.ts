/**
 * How LXD is installed on a host, and the daemon that runs: the snap (/snap/bin/lxc, data in
 * /var/snap/lxd/common/lxd) or a distribution package such as Debian's (lxc and lxd on PATH, data
 * in /var/lib/lxd). Never assumed: modules read this to pick paths and tools.
 */
import { SBIN_PATH } from "../sbin-path.js";
import { FactParseError } from "../errors.js";
import type { FactKind, RawProbe } from "../types.js";

export const SNAP_LXD_DIR = "/var/snap/lxd/common/lxd";
export const SNAP_COMMON = "/var/snap/lxd/common";
/** Where the snap's daemon.start writes the daemon's pid. */
export const SNAP_PID_FILE = `${SNAP_COMMON}/lxd.pid`;
export const SNAP_USER_SOCKET = `${SNAP_COMMON}/lxd-user/unix.socket`;
export const DEB_LXD_DIR = "/var/lib/lxd";
/** Where Debian's sysvinit script (start-stop-daemon -m) writes the daemon's pid; systemd writes none. */
export const DEB_PID_FILE = "/run/lxd.pid";

export type LxdDaemonProcess = {
  pid: number;
  /** How it was found: "pidfile /var/snap/lxd/common/lxd.pid", "/proc/PID/comm" (a grep over every process) or "pgrep -x lxd" (when that grep cannot run). */
  source: string;
  /** /proc/PID/cmdline, split at the NULs: ["lxd", "--logfile", "...", "--group", "lxd"]. */
  argv: string[];
};

export type LxdInstall =
  | { kind: "none"; lxc: string | null }
  | {
      kind: "snap" | "deb";
      /** The client path: /snap/bin/lxc, /usr/bin/lxc; null when only the daemon is installed. */
      lxc: string | null;
      lxd: string | null;
      /** The daemon's directory (LXD_DIR): the unix socket, the database, the logs. */
      dir: string;
      /** The snap's channel ("5.21/stable", from `snap list lxd`); null for a package or when unknown. */
      tracking: string | null;
      /** What `snap list lxd` said when it gave no channel (snap missing, snapd down...). */
      snapMessage: string | null;
      /** Group of DIR/unix.socket (full control of LXD); null when the socket is absent. */
      socketGroup: string | null;
      /** Group of the snap's lxd-user socket (restricted access, daemon.user.group); null when absent. */
      userSocketGroup: string | null;
      /** The running daemon of this host (its mount namespace); null when none runs. */
      daemon: LxdDaemonProcess | null;
      /** When no daemon was found: the lxd processes the search saw and why none is this host's. */
      daemonNotFound?: string;
    };

/** The one argument of the lxdInstall fact: it has no subject. */
export const LXD_INSTALL_ARG = "";

/**
 * The daemon is the lxd process of this mount namespace whose first argument is a flag or absent
 * (`lxd forkproxy`, `lxd waitready`, `lxd activateifneeded` are not it, nor are `lxd --version`
 * and `lxd --help`, which someone may be running); a zombie (empty cmdline) is not it either,
 * nor is a process whose parent is an lxd process: between fork and exec, every command the
 * daemon starts is a copy of it (same comm, same cmdline). Of what remains, the oldest is taken:
 * a passing lxd command is younger than the daemon, whatever order the scan lists them in (by pid
 * text, so 10000 before 9999; and pids wrap around). Testbed hosts and LXD inside containers show
 * other lxd daemons in the same pid namespace: the mount namespace tells them apart (when it
 * cannot be read, as non-root, the oldest daemon-like process is taken). The command line printed
 * is the one judged (read once, trailing empty arguments kept).
 */
const PROBE = `${SBIN_PATH}
fleet_daemon() {
  [ "$(cat "/proc/$1/comm" 2>/dev/null)" = lxd ] || { fleet_why="$1 gone"; return 1; }
  fleet_args=$(tr '\\0' '\\n' < "/proc/$1/cmdline" 2>/dev/null && echo x) && fleet_args=\${fleet_args%x} && [ -n "$fleet_args" ] || { fleet_why="$1 no-cmdline"; return 1; }
  case "$(printf '%s' "$fleet_args" | sed -n 2p)" in --version|--help|-h) fleet_why="$1 one-shot"; return 1 ;; ""|-*) ;; *) fleet_why="$1 subcommand"; return 1 ;; esac
  fleet_ns=$(readlink "/proc/$1/ns/mnt" 2>/dev/null) || fleet_ns=
  [ -z "$fleet_self" ] || [ -z "$fleet_ns" ] || [ "$fleet_ns" = "$fleet_self" ] || { fleet_why="$1 other-namespace"; return 1; }
  fleet_ppid=$(sed -n 's/^PPid:[[:space:]]*//p' "/proc/$1/status" 2>/dev/null) || fleet_ppid=
  [ -z "$fleet_ppid" ] || [ "$(cat "/proc/$fleet_ppid/comm" 2>/dev/null)" != lxd ] || { fleet_why="$1 child-of-lxd"; return 1; }
}
fleet_find() {
  fleet_pid= fleet_source= fleet_seen=
  if [ -r "$fleet_pidfile" ] && fleet_candidate=$(cat "$fleet_pidfile") && fleet_daemon "$fleet_candidate"; then
    fleet_pid=$fleet_candidate; fleet_source="pidfile $fleet_pidfile"; return 0
  fi
  # grep reads one small file per process, pgrep several: 4 times less CPU with 1,000 processes
  fleet_source=/proc/PID/comm
  # exit 2 only says a process ended while read; 126 is a process table too long for one command line
  fleet_candidates=$(grep -lx lxd /proc/[0-9]*/comm 2>/dev/null; [ $? -le 2 ] || echo fleet-scan-failed)
  case "$fleet_candidates" in *fleet-scan-failed*) fleet_source='pgrep -x lxd'; fleet_candidates=$(pgrep -x lxd) ;; *) fleet_candidates=$(printf '%s\\n' "$fleet_candidates" | cut -d/ -f3) ;; esac
  fleet_oldest=
  for fleet_candidate in $fleet_candidates; do
    if fleet_daemon "$fleet_candidate"; then
      fleet_started=$(cut -d' ' -f22 "/proc/$fleet_candidate/stat" 2>/dev/null) || continue
      if [ -z "$fleet_oldest" ] || [ "$fleet_started" -lt "$fleet_oldest" ]; then
        fleet_oldest=$fleet_started; fleet_pid=$fleet_candidate; fleet_best_args=$fleet_args
      fi
    else
      fleet_seen="$fleet_seen$fleet_why
"
    fi
  done
  [ -n "$fleet_pid" ] || return 1
  fleet_args=$fleet_best_args
}
fleet_self=$(readlink /proc/self/ns/mnt 2>/dev/null) || fleet_self=
fleet_user_socket=
if [ -x /snap/bin/lxd ] || [ -x /snap/bin/lxc ]; then
  echo kind=snap
  [ -x /snap/bin/lxc ] && echo lxc=/snap/bin/lxc
  [ -x /snap/bin/lxd ] && echo lxd=/snap/bin/lxd
  fleet_dir=${SNAP_LXD_DIR}; fleet_pidfile=${SNAP_PID_FILE}; fleet_user_socket=${SNAP_USER_SOCKET}
  if command -v snap >/dev/null 2>&1; then snap list lxd 2>&1 </dev/null | sed 's/^/snap=/'; else echo 'snap=fleet:no-snap'; fi
elif command -v lxd >/dev/null 2>&1; then
  echo kind=deb
  echo "lxd=$(command -v lxd)"
  command -v lxc >/dev/null 2>&1 && echo "lxc=$(command -v lxc)"
  fleet_dir=\${LXD_DIR:-${DEB_LXD_DIR}}; fleet_pidfile=${DEB_PID_FILE}
else
  echo kind=none
  command -v lxc >/dev/null 2>&1 && echo "lxc=$(command -v lxc)"
  exit 0
fi
echo "dir=$fleet_dir"
[ -S "$fleet_dir/unix.socket" ] && echo "socket_group=$(stat -c %G "$fleet_dir/unix.socket")"
[ -n "$fleet_user_socket" ] && [ -S "$fleet_user_socket" ] && echo "user_socket_group=$(stat -c %G "$fleet_user_socket")"
# A socket with no daemon found: look again a few times (a daemon being restarted, a scan that
# raced a process table in flux) before saying none runs.
fleet_try=0
until fleet_find || [ ! -S "$fleet_dir/unix.socket" ] || [ $fleet_try -ge 3 ]; do sleep 0.3; fleet_try=$((fleet_try + 1)); done
if [ -n "$fleet_pid" ]; then
  echo "pid_source=$fleet_source"
  echo "pid=$fleet_pid"
  printf '%s' "$fleet_args" | sed 's/^/arg=/'
else
  printf '%s' "$fleet_seen" | sed 's/^/seen=/'
fi
exit 0`;

export const lxdInstall: FactKind<LxdInstall> = {
  name: "lxd_install",
  probe: () => PROBE,
  parse: (raw: RawProbe, arg: string) => {
    if (raw.exitCode !== 0) throw new FactParseError("lxd_install", arg, `the probe exited ${raw.exitCode}: ${raw.stderr.trim().split("\n").pop() ?? ""}`);
    return parseLxdInstall(raw.stdout, arg);
  },
};

/** Pure: the probe's `key=value` lines → LxdInstall. */
export function parseLxdInstall(stdout: string, arg = LXD_INSTALL_ARG): LxdInstall {
  const fields = new Map<string, string>();
  const snapLines: string[] = [];
  const argv: string[] = [];
  const seen: string[] = [];
  for (const line of stdout.split("\n")) {
    if (line === "") continue;
    const separator = line.indexOf("=");
    if (separator < 0) throw new FactParseError("lxd_install", arg, `unexpected line ${JSON.stringify(line)}`);
    const name = line.slice(0, separator);
    const value = line.slice(separator + 1);
    if (name === "arg") argv.push(value);
    else if (name === "snap") snapLines.push(value);
    else if (name === "seen") seen.push(value);
    else fields.set(name, value);
  }
  const kind = fields.get("kind");
  const lxc = fields.get("lxc") ?? null;
  if (kind === "none") return { kind, lxc };
  if (kind !== "snap" && kind !== "deb") throw new FactParseError("lxd_install", arg, `no kind= line in ${JSON.stringify(stdout.slice(0, 200))}`);
  const dir = fields.get("dir");
  if (dir === undefined) throw new FactParseError("lxd_install", arg, "no dir= line");
  const pidText = fields.get("pid");
  const pid = pidText === undefined ? undefined : Number(pidText);
  if (pid !== undefined && (!Number.isInteger(pid) || pid <= 0)) throw new FactParseError("lxd_install", arg, `bad pid ${JSON.stringify(pidText)}`);
  // A process that exited between the pid and the cmdline reads has an empty cmdline.
  const daemon = pid === undefined || argv.length === 0 ? null : { pid, source: fields.get("pid_source") ?? "", argv };
  const snap = kind === "snap" ? snapTracking(snapLines) : { tracking: null, message: null };
  return {
    kind,
    lxc,
    lxd: fields.get("lxd") ?? null,
    dir,
    tracking: snap.tracking,
    snapMessage: snap.message,
    socketGroup: fields.get("socket_group") ?? null,
    userSocketGroup: fields.get("user_socket_group") ?? null,
    daemon,
    ...(daemon === null ? { daemonNotFound: notFoundText(seen, pid) } : {}),
  };
}

const SEEN_REASONS: Record<string, string> = {
  gone: "exited while read",
  "no-cmdline": "exiting (no command line)",
  subcommand: "lxd subcommands, not the daemon",
  "other-namespace": "in another mount namespace: another host's or a container's daemon",
  "child-of-lxd": "started by an lxd process: a command the daemon is starting",
  "one-shot": "lxd --version or --help, not the daemon",
};

/** "lxd processes seen: 812, 830 (in another mount namespace: …); 900 (lxd subcommands …)" or "no lxd process at all". */
function notFoundText(seen: readonly string[], pid: number | undefined): string {
  if (pid !== undefined) return `pid ${pid} exited while its command line was read`;
  if (seen.length === 0) return "no lxd process at all";
  const byReason = new Map<string, string[]>();
  for (const entry of seen) {
    const [candidate = "", reason = ""] = entry.split(" ");
    byReason.set(reason, [...(byReason.get(reason) ?? []), candidate]);
  }
  return `lxd processes seen: ${[...byReason].map(([reason, pids]) => `${pids.join(", ")} (${SEEN_REASONS[reason] ?? reason})`).join("; ")}`;
}

/**
 * The Tracking column of `snap list lxd` (cells never hold spaces, so split on whitespace and
 * find the column by its header). "-" (installed from a file) is no channel.
 */
export function snapTracking(lines: readonly string[]): { tracking: string | null; message: string | null } {
  const rows = lines.map((line) => line.trim().split(/\s+/)).filter((cells) => cells.join("") !== "");
  const header = rows[0];
  const column = header?.[0] === "Name" ? header.indexOf("Tracking") : -1;
  const row = rows.slice(1).find((cells) => cells[0] === "lxd");
  const tracking = column < 0 || row === undefined ? undefined : row[column];
  if (tracking !== undefined && tracking !== "-") return { tracking, message: null };
  const said = lines.join(" ").trim();
  if (said === "fleet:no-snap") return { tracking: null, message: "the snap command is not installed" };
  return { tracking: null, message: said === "" ? "snap list lxd printed nothing" : said.replace(/^error: /, "") };
}
