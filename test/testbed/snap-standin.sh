#!/bin/bash
# Stand-in for the `snap` command on a testbed host. snapd cannot run here (it needs systemd), so
# this keeps snap configuration options of the lxd snap in a per-host file and answers the few
# subcommands fleet uses: get, set, unset, list, and on hosts that look like a snap install
# (testbed.env: FLEET_TESTBED_INSTALL=snap) start, stop and restart [--reload] of the daemon.
# Output mimics snapd's formats; the daemon's command line mimics the lxd snap's daemon.start
# (canonical/lxd-pkg-snap): --logfile, --group G (only if the group exists), --debug, --syslog,
# --verbose, from the daemon.* options.
set -euo pipefail
STATE="${FLEET_SNAP_STATE:-/usr/local/sbin/.snap-standin/lxd.options}"
mkdir -p "$(dirname "$STATE")"
touch "$STATE"

# Written by the testbed for each host (test/testbed/host-files.ts); absent = a plain stand-in.
FLEET_TESTBED_INSTALL=deb
FLEET_TESTBED_TRACKING=5.0/stable
HOST_ENV="$(dirname "$STATE")/testbed.env"
# shellcheck disable=SC1090
[ -r "$HOST_ENV" ] && . "$HOST_ENV"
# Overridable for the stand-in's own tests only (test/unit/lxd-server/snap-standin.test.ts).
SNAP_COMMON="${FLEET_TESTBED_SNAP_COMMON:-/var/snap/lxd/common}"
LXD="${FLEET_TESTBED_LXD:-lxd}"

die() { echo "error: $*" >&2; exit 1; }
lxd_version() { "$LXD" --version 2>/dev/null || echo unknown; }

require_lxd() { [ "${1:-}" = "lxd" ] || die "snap \"${1:-}\" is not installed (this stand-in knows only lxd)"; }

# An option's value as stored ("" when never set).
option() { local line; line="$(grep -m1 "^${1}=" "$STATE" || true)"; printf '%s' "${line#*=}"; }

# The snap's configure hook get_bool: true/1/yes/on → true, false/0/no/off → false, else empty.
get_bool() {
  case "$(printf '%s' "${1:-}" | tr '[:upper:]' '[:lower:]')" in
    true|1|yes|on) echo true ;;
    false|0|no|off) echo false ;;
    *) echo "" ;;
  esac
}

is_snap_host() { [ "$FLEET_TESTBED_INSTALL" = snap ]; }

# What the configure hook does after `snap set`: regenerate $SNAP_COMMON/config (the daemon.*
# part of it) and give the sockets their groups when those exist.
configure() {
  is_snap_host || return 0
  local group user_group syslog verbose debug
  group="$(option daemon.group)"; group="${group:-lxd}"
  user_group="$(option daemon.user.group)"; user_group="${user_group:-lxd}"
  debug="$(get_bool "$(option daemon.debug)")"; syslog="$(get_bool "$(option daemon.syslog)")"; verbose="$(get_bool "$(option daemon.verbose)")"
  mkdir -p "$SNAP_COMMON"
  cat > "$SNAP_COMMON/config" <<EOC
# This file is auto-generated, do NOT manually edit
daemon_debug=${debug:-false}
daemon_group=${group}
daemon_syslog=${syslog:-false}
daemon_user_group=${user_group}
daemon_verbose=${verbose:-false}
EOC
  if getent group "$group" >/dev/null 2>&1 && [ -e "$SNAP_COMMON/lxd/unix.socket" ]; then chgrp "$group" "$SNAP_COMMON/lxd/unix.socket"; fi
  if getent group "$user_group" >/dev/null 2>&1 && [ -e "$SNAP_COMMON/lxd-user/unix.socket" ]; then chgrp "$user_group" "$SNAP_COMMON/lxd-user/unix.socket"; fi
}

require_daemon_host() {
  is_snap_host || die "snap \"lxd\" has no services here: this testbed host runs Debian's lxd package (no /snap/bin/lxd)"
}

# The pid of this host's daemon if it runs (the testbed recognises it by its --logfile).
running_pid() {
  local pid state
  pid="$(cat "$FLEET_TESTBED_LXD_PIDFILE" 2>/dev/null || true)"
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' '\n' < "/proc/$pid/cmdline" | grep -qxF -- "$FLEET_TESTBED_LXD_LOGFILE" || return 1
  state="$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1)"
  [ -n "$state" ] && [ "$state" != Z ] || return 1
  echo "$pid"
}

start_daemon() {
  local group args pid
  if running_pid >/dev/null; then return 0; fi
  group="$(option daemon.group)"; group="${group:-lxd}"
  args=(--logfile "$FLEET_TESTBED_LXD_LOGFILE")
  if getent group "$group" >/dev/null 2>&1; then
    args+=(--group "$group")
  else
    echo "==> No \"$group\" group found, only root will be able to use LXD." >&2
  fi
  [ "$(get_bool "$(option daemon.debug)")" = true ] && args+=(--debug)
  [ "$(get_bool "$(option daemon.syslog)")" = true ] && args+=(--syslog)
  [ "$(get_bool "$(option daemon.verbose)")" = true ] && args+=(--verbose)
  rm -f "$FLEET_TESTBED_LXD_PIDFILE"
  # Its own session (no terminal, no SIGHUP when the SSH session ends), a plain environment, and
  # no descriptor of the caller's: the sh writes its pid, then becomes lxd (same pid).
  (cd / && exec env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
    setsid sh -c 'echo $$ > "$0"; exec "$@"' "$FLEET_TESTBED_LXD_PIDFILE" "$LXD" "${args[@]}" </dev/null >/dev/null 2>&1) &
  for _ in $(seq 1 100); do
    pid="$(cat "$FLEET_TESTBED_LXD_PIDFILE" 2>/dev/null || true)"
    [ -n "$pid" ] && break
    sleep 0.05
  done
  [ -n "$pid" ] || die "lxd did not start (no pid written)"
  mkdir -p "$SNAP_COMMON"
  echo "$pid" > "$SNAP_COMMON/lxd.pid"
}

# SIGTERM is LXD's "reload": it stops without stopping the instances (the snap's daemon.reload).
stop_daemon() {
  local pid
  pid="$(running_pid)" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 600); do
    running_pid >/dev/null || return 0
    sleep 0.1
  done
  die "lxd (pid $pid) did not stop within 60 s"
}

wait_ready() {
  LXD_DIR="$SNAP_COMMON/lxd" "$LXD" waitready --timeout=120 || die "lxd did not become ready within 120 s (see $FLEET_TESTBED_LXD_LOGFILE)"
}

cmd="${1:-}"; shift || true
case "$cmd" in
  list)
    [ $# -eq 0 ] || require_lxd "$1"
    printf 'Name  Version  Rev    Tracking    Publisher   Notes\n'
    printf 'lxd   %s    00000  %s  canonical** -\n' "$(lxd_version)" "$FLEET_TESTBED_TRACKING"
    ;;
  get)
    json=0
    if [ "${1:-}" = "-d" ]; then json=1; shift; fi
    require_lxd "${1:-}"; shift
    if [ $# -eq 0 ]; then
      if [ "$json" = 1 ]; then
        printf '{'; sep=""
        while IFS='=' read -r k v; do printf '%s\n\t"%s": "%s"' "$sep" "$k" "$v"; sep=","; done < "$STATE"
        printf '\n}\n'
      else
        [ -s "$STATE" ] || die "snap \"lxd\" has no configuration"
        printf 'Key  Value\n'; while IFS='=' read -r k v; do printf '%s  %s\n' "$k" "$v"; done < "$STATE"
      fi
      exit 0
    fi
    key="$1"
    line="$(grep -m1 "^${key}=" "$STATE" || true)"
    [ -n "$line" ] || die "snap \"lxd\" has no \"${key}\" configuration option"
    printf '%s\n' "${line#*=}"
    ;;
  set|unset)
    require_lxd "${1:-}"; shift
    [ $# -gt 0 ] || die "the required argument \`<conf value>\` was not provided"
    tmp="$(mktemp "${STATE}.XXXXXX")"
    cp "$STATE" "$tmp"
    for arg in "$@"; do
      if [ "$cmd" = set ]; then
        case "$arg" in *=*) ;; *) rm -f "$tmp"; die "invalid configuration: \"$arg\" (want key=value)";; esac
        key="${arg%%=*}"; value="${arg#*=}"
      else
        key="$arg"; value=""
      fi
      grep -v "^${key}=" "$tmp" > "${tmp}.new" || true
      mv "${tmp}.new" "$tmp"
      if [ "$cmd" = set ] && [ -n "$value" ]; then printf '%s=%s\n' "$key" "$value" >> "$tmp"; fi
    done
    mv "$tmp" "$STATE"
    configure
    ;;
  start|stop|restart)
    reload=0
    while [ "${1:-}" != "" ] && [ "${1#-}" != "$1" ]; do
      case "$1" in --reload) reload=1 ;; *) die "unknown flag \`$1'" ;; esac
      shift
    done
    [ "${1:-}" = lxd ] || [ "${1:-}" = lxd.daemon ] || die "snap \"${1:-}\" is not installed (this stand-in knows only lxd)"
    require_daemon_host
    case "$cmd" in
      start) configure; start_daemon ;;
      stop) stop_daemon ;;
      restart) stop_daemon; configure; start_daemon; wait_ready ;;
    esac
    : "$reload" # --reload: the lxd snap's reload-command is a restart that keeps instances running, as here
    ;;
  version|--version)
    printf 'snap    stand-in (fleet testbed)\nsnapd   stand-in\n'
    ;;
  *)
    die "the fleet testbed's snap stand-in does not implement \"${cmd}\" (it supports get, set, unset, list, start, stop, restart)"
    ;;
esac
