#!/usr/bin/env bash
# `npm run demo`: build fleet, bring up the local testbed fleet (3 LXD hosts + a 2-member LXD
# cluster, all real sshd + lxd on 127.0.1.x), and show fleet working against it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

npm run --silent build
npm run --silent testbed:up
INVENTORY=test/testbed/.state/inventory.yml
fleet() { node dist/cli/main.js "$@"; }

echo
echo "\$ fleet inventory -i $INVENTORY --graph"
fleet inventory -i "$INVENTORY" --graph
echo
COMMAND='lxc config get core.https_address; snap get lxd daemon.debug 2>/dev/null || echo "(daemon.debug unset)"'
echo "\$ fleet exec -i $INVENTORY -- '$COMMAND'"
fleet exec -i "$INVENTORY" -- "$COMMAND"
echo
echo "The testbed is still running: 'npm run testbed:status' shows it, 'npm run testbed:down' stops it."
