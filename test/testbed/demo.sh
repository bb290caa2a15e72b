#!/usr/bin/env bash
# `npm run demo`: build fleet, bring up the local testbed fleet (3 LXD hosts + a 2-member LXD
# cluster, all real sshd + lxd on 127.0.1.x), and run the whole story against it: audit the LXD
# hardening baseline, fix what is safe, audit again, write the reports, show the drift.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

npm run --silent build
npm run --silent testbed:up
INVENTORY=test/testbed/.state/inventory.yml
VARS=@test/fixtures/baseline/testbed-vars.yml
mkdir -p reports
fleet() { node dist/cli/main.js "$@"; }
show() { echo; echo "\$ fleet $*"; fleet "$@" || echo "(exit $?)"; }

show inventory -i "$INVENTORY" --graph
show audit baseline.yml -i "$INVENTORY" -e "$VARS" --report reports/before.json
show run baseline.yml -i "$INVENTORY" -e "$VARS"
show audit baseline.yml -i "$INVENTORY" -e "$VARS" --report reports/demo.json --report reports/demo.html --report reports/demo.md --report reports/demo.xml
show report diff reports/before.json reports/demo.json
echo
echo "Reports: reports/demo.html (open it in a browser), reports/demo.md, reports/demo.xml (JUnit), reports/demo.json."
echo "The testbed is still running: 'npm run testbed:status' shows it, 'npm run testbed:down' stops it."
