#!/bin/bash
# Stand-in for the `snap` command on a testbed host. snapd cannot run here (it needs systemd), so
# this keeps snap configuration options of the lxd snap in a per-host file and answers the few
# subcommands fleet uses: get, set, unset, list. Output mimics snapd's formats.
set -euo pipefail
STATE="${FLEET_SNAP_STATE:-/usr/local/sbin/.snap-standin/lxd.options}"
mkdir -p "$(dirname "$STATE")"
touch "$STATE"

die() { echo "error: $*" >&2; exit 1; }
lxd_version() { lxd --version 2>/dev/null || echo unknown; }

require_lxd() { [ "${1:-}" = "lxd" ] || die "snap \"${1:-}\" is not installed (this stand-in knows only lxd)"; }

cmd="${1:-}"; shift || true
case "$cmd" in
  list)
    [ $# -eq 0 ] || require_lxd "$1"
    printf 'Name  Version  Rev    Tracking    Publisher   Notes\n'
    printf 'lxd   %s    00000  5.0/stable  canonical** -\n' "$(lxd_version)"
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
    ;;
  version|--version)
    printf 'snap    stand-in (fleet testbed)\nsnapd   stand-in\n'
    ;;
  *)
    die "the fleet testbed's snap stand-in does not implement \"${cmd}\" (it supports get, set, unset, list)"
    ;;
esac
