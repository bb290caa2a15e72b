#!/bin/sh
# shard-audit.sh — run one shard of a fleet audit inside a job engine (a Kubernetes Indexed Job,
# a GitHub Actions matrix job, ...) and turn fleet's exit code into "this shard's work is done"
# or "retry / look at me".
#
#   sh deploy/shard-audit.sh COMMAND [ARG...]
#   sh deploy/shard-audit.sh node dist/cli/main.js audit playbooks/baseline.yml -i inv.yml \
#       --shard 3/4 --host-key-checking strict --report reports/shard-3.json
#
# COMMAND is the whole fleet command line. It must write a JSON report (`--report FILE.json` or
# `--report=FILE.json`; other --report formats may be given too). The wrapper removes that file
# before the run, so a report left by an earlier attempt is never taken for this one's.
#
# Exit status of the wrapper:
#   0     fleet exited 0 (compliant), 2 (some control failed) or 3 (some host unreachable) AND
#         the JSON report is there: the shard's work is done, compliance is judged after the merge
#   1     fleet exited 0, 2 or 3 but the JSON report is missing, empty or not a fleet report
#   N     fleet's own code for everything else, passed through unchanged: 1 error, 4 bad input
#         file, 5 bad options, 99 interrupted, 126/127 the command could not run, 128+S killed by
#         signal S — the job engine sees a failure and can retry (or, for 4 and 5, give up)
#   5     the wrapper was called wrongly (no command, no --report *.json)
#
# SIGTERM, SIGINT and SIGHUP are passed on to fleet (as SIGTERM), which then kills its remote
# commands, writes its reports and exits 99. This matters where the wrapper is PID 1 of a container: PID 1 gets no
# default signal handling, so without this fleet would only die by SIGKILL after the grace period.
#
# An empty FLEET_BECOME_PASSWORD or FLEET_SSH_PASSPHRASE (an optional secret that is not set
# expands to "" in most job engines) is unset, so fleet does not take "" for a password.
#
# POSIX sh only (dash, busybox ash, bash --posix): no arrays, no [[ ]], no local, no pipefail.

me=shard-audit

if [ "$#" -eq 0 ]; then
  echo "$me: usage: $me COMMAND [ARG...] (a fleet audit command line with --report FILE.json)" >&2
  exit 5
fi

# The JSON report: the last --report FILE.json / --report=FILE.json among the arguments.
report=
expect_value=
for arg in "$@"; do
  if [ -n "$expect_value" ]; then
    case "$arg" in *.json) report=$arg ;; esac
    expect_value=
    continue
  fi
  case "$arg" in
    --report) expect_value=1 ;;
    --report=*.json) report=${arg#--report=} ;;
  esac
done
if [ -z "$report" ]; then
  echo "$me: the command has no --report FILE.json: nothing to check the shard's result by" >&2
  exit 5
fi

if [ -z "${FLEET_BECOME_PASSWORD-}" ]; then unset FLEET_BECOME_PASSWORD; fi
if [ -z "${FLEET_SSH_PASSPHRASE-}" ]; then unset FLEET_SSH_PASSPHRASE; fi

rm -f -- "$report" || exit 1
case "$report" in
  */*) mkdir -p -- "${report%/*}" || exit 1 ;;
esac

# Run fleet as a child (not exec) so its exit code can be judged afterwards, and pass the
# termination signals on to it, always as SIGTERM (fleet treats SIGINT, SIGTERM and SIGHUP alike,
# and a background command of a non-interactive shell starts with SIGINT ignored). `wait` returns
# early (status > 128) when a trapped signal arrives; then wait again for fleet's own status.
# The traps are set before fleet starts, so a signal that comes in between is not lost.
child=
signalled=
# shellcheck disable=SC2317 # called by the traps below
forward() {
  signalled=$1
  if [ -n "$child" ]; then kill -s TERM "$child" 2>/dev/null; fi
}
trap 'forward TERM' TERM
trap 'forward INT' INT
trap 'forward HUP' HUP
"$@" &
child=$!
if [ -n "$signalled" ]; then kill -s TERM "$child" 2>/dev/null; fi
wait "$child"
code=$?
while [ -n "$signalled" ]; do
  echo "$me: got SIG$signalled, sent SIGTERM to fleet (pid $child)" >&2
  signalled=
  wait "$child"
  again=$?
  # 127: the child's status was already collected by the first wait (it ended before the signal)
  if [ "$again" -ne 127 ]; then code=$again; fi
done
trap - TERM INT HUP

case "$code" in
  0) meaning="compliant" ;;
  2) meaning="some control failed" ;;
  3) meaning="some host unreachable" ;;
  *)
    case "$code" in
      1) meaning="error" ;;
      4) meaning="an input file could not be parsed (retrying will not help)" ;;
      5) meaning="bad command-line options (retrying will not help)" ;;
      99) meaning="interrupted" ;;
      126) meaning="the command is not executable" ;;
      127) meaning="the command was not found" ;;
      *) if [ "$code" -gt 128 ]; then meaning="killed by signal $((code - 128))"; else meaning="unexpected exit code"; fi ;;
    esac
    echo "$me: fleet exited $code ($meaning): the shard failed" >&2
    exit "$code"
    ;;
esac

if [ ! -s "$report" ]; then
  echo "$me: fleet exited $code ($meaning) but wrote no report at $report: the shard failed" >&2
  exit 1
fi
if ! grep -q '"fleet-report/v1"' "$report"; then
  echo "$me: fleet exited $code ($meaning) but $report is not a fleet-report/v1 JSON report: the shard failed" >&2
  exit 1
fi
echo "$me: fleet exited $code ($meaning); report written to $report: the shard is done (compliance is judged after the merge)" >&2
exit 0
