import { assignClusters, type ClusterDeclaration } from "./clusters.js";
import type { InventoryBuilder } from "./builder.js";
import { connectionWarnings } from "./connection.js";
import { groupHostNames } from "./group-hosts.js";
import { nestingProblem } from "./nesting.js";
import { Precedence } from "./precedence.js";
import { reconcile } from "./reconcile.js";
import type { Inventory, InventoryGroup, InventoryHost } from "./types.js";
import type { SourceVarsFiles } from "./vars-files.js";

/**
 * Turns what the readers collected into the shared Inventory model: reconciles groups, merges
 * every host's variables in Ansible's precedence order and assigns LXD clusters. Pure; problems
 * are added to the builder.
 */
export function resolveInventory(
  builder: InventoryBuilder,
  sources: readonly string[],
  varsFiles: readonly SourceVarsFiles[],
  playbookVarsFiles?: SourceVarsFiles,
): Inventory {
  reconcile(builder);
  const tooDeep = nestingProblem(builder);
  if (tooDeep !== undefined) {
    // nothing below is needed: the loader throws the problems; and merging variables walks the tree
    builder.report(tooDeep);
    return { sources: [...sources], groups: new Map(), hosts: new Map(), warnings: [...builder.warnings] };
  }
  const precedence = new Precedence(builder, varsFiles, playbookVarsFiles);

  const groups = new Map<string, InventoryGroup>();
  for (const group of builder.groups.values()) {
    groups.set(group.name, { name: group.name, children: [...group.children], hosts: [...group.hosts], vars: precedence.groupVars(group.name).vars });
  }

  const declarations: ClusterDeclaration[] = [];
  for (const group of groups.values()) {
    if (!("lxd_cluster" in group.vars)) continue;
    const merged = precedence.groupVars(group.name);
    declarations.push({
      group: group.name,
      value: merged.vars["lxd_cluster"] ?? null,
      location: merged.origins["lxd_cluster"],
      hosts: groupHostNames(groups, group.name),
    });
  }
  const { clusterOf, problems } = assignClusters(declarations);
  for (const problem of problems) builder.report(problem);

  const hosts = new Map<string, InventoryHost>();
  for (const host of builder.hosts.values()) {
    const hostGroups = precedence.hostGroups(host.groups);
    const merged = precedence.hostVars(host.name, hostGroups);
    hosts.set(host.name, {
      name: host.name,
      vars: merged.vars,
      groups: hostGroups,
      cluster: clusterOf.get(host.name) ?? null,
      varOrigins: merged.origins,
    });
  }

  const warnings = [...builder.warnings, ...connectionWarnings([...hosts.values()])];
  return { sources: [...sources], groups, hosts, warnings };
}
