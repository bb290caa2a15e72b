#!/usr/bin/env bash
# The full mutation run, one group of files at a time (same stryker.config.json, same incremental
# file, so each group's results are kept as soon as it ends). Each group is tested by the unit tests
# of its own area plus test/unit/mutation-kills (FLEET_MUTATION_TESTS, read by
# vitest.mutation.config.ts): a static mutant (code run only when a module loads) is tested by every
# test Stryker has for the file, and against all related unit tests each one costs a minute and a
# half. Groups with few static mutants (engine, plan: TESTS empty) run against every unit test.
# Not Stryker's --testFiles: with it Stryker 9.6.1 activates static mutants after their module
# has loaded and reports them as survived (stryker-js#6144). Usage (from the repository root):
#   nice -n 19 bash test/mutation/run-groups.sh [GROUP...]     default: every group, in this order
# Extra Stryker options: STRYKER_ARGS="--concurrency 2" nice -n 19 bash test/mutation/run-groups.sh
set -u
cd "$(dirname "$0")/../.."
KILLS="test/unit/mutation-kills/**/*.test.ts"
declare -A FILES=(
  [transport]="src/transport/known-hosts/*.ts,src/transport/classify.ts,src/transport/become.ts,src/transport/shell-quote.ts"
  [engine]="src/engine/host-run.ts,src/engine/sectioned-script.ts,src/engine/apply.ts"
  [plan]="src/plan/decide.ts,src/report/waivers.ts"
  [modules]="src/modules/file.ts,src/modules/copy.ts,src/modules/lineinfile.ts,src/modules/sysctl.ts,src/modules/lxd-config.ts"
  [inventory]="src/inventory/select.ts,src/inventory/precedence.ts,src/inventory/host-pattern.ts,src/inventory/ini-inventory.ts"
  [expression]="src/playbook/expression/*.ts"
)
declare -A TESTS=(
  [transport]="test/unit/transport/**/*.test.ts,$KILLS"
  [engine]=""
  [plan]=""
  [modules]="test/unit/modules/**/*.test.ts,test/unit/lxd-server/**/*.test.ts,$KILLS"
  [inventory]="test/unit/inventory/**/*.test.ts,$KILLS"
  [expression]="test/unit/playbook/**/*.test.ts,$KILLS"
)
ORDER=(transport engine plan modules inventory expression)
[ $# -gt 0 ] && ORDER=("$@")
read -r -a extra <<< "${STRYKER_ARGS:-}"
for group in "${ORDER[@]}"; do
  echo "=== $group: ${FILES[$group]} ($(date -u +%FT%TZ))"
  start=$(date +%s)
  FLEET_MUTATION_TESTS="${TESTS[$group]}" npm run test:mutation -- --mutate "${FILES[$group]}" "${extra[@]}" || echo "=== $group failed"
  echo "=== $group done in $(( $(date +%s) - start )) s"
done
