#!/usr/bin/env bash
# `npm run demo`: build fleet, bring up the local testbed fleet (3 LXD hosts + a 2-member LXD
# cluster, all real sshd + lxd on 127.0.1.x), and show fleet working against it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

npm run --silent build
npm run --silent testbed:up
INVENTORY=test/testbed/.state/inventory.yml
PLAYBOOK=test/fixtures/playbook-run/core.yml
fleet() { node dist/cli/main.js "$@"; }
show() { echo; echo "\$ fleet $*"; fleet "$@" || echo "(exit $?)"; }

show inventory -i "$INVENTORY" --graph
show exec -i "$INVENTORY" -- 'lxc config get core.https_address; snap get lxd daemon.debug 2>/dev/null || echo "(daemon.debug unset)"'
# the demo's own group on the testbed (the hosts share /etc/group), with a member to remove
getent group fleetitg >/dev/null || groupadd fleetitg
gpasswd -a fleetpw fleetitg >/dev/null
show audit "$PLAYBOOK" -i "$INVENTORY"
show run "$PLAYBOOK" -i "$INVENTORY"
show run "$PLAYBOOK" -i "$INVENTORY"
echo
echo "The testbed is still running: 'npm run testbed:status' shows it, 'npm run testbed:down' stops it."
