import { formatLocation, type FleetError, type SourceLocation } from "../errors.js";
import { InventoryCode, inventoryProblem } from "./problems.js";
import type { InventoryHost, VarValue } from "./types.js";

/**
 * LXD clusters: a group whose own vars (inline or group_vars) set `lxd_cluster: NAME` makes every
 * host in it, directly or through child groups, a member of cluster NAME. Several groups may name
 * the same cluster; a host in two different clusters is an error. Hosts in no cluster are
 * standalone LXD servers.
 */

export interface ClusterDeclaration {
  group: string;
  value: VarValue;
  location: SourceLocation | undefined;
  /** Every host of the group, directly or through child groups. */
  hosts: readonly string[];
}

export interface ClusterAssignment {
  clusterOf: Map<string, string>;
  problems: FleetError[];
}

export function assignClusters(declarations: readonly ClusterDeclaration[]): ClusterAssignment {
  const clusterOf = new Map<string, string>();
  const declaredBy = new Map<string, ClusterDeclaration>();
  const problems: FleetError[] = [];
  for (const declaration of declarations) {
    const { group, value, location } = declaration;
    if (typeof value !== "string" || value.trim() === "") {
      problems.push(inventoryProblem(InventoryCode.clusterName, `lxd_cluster of group "${group}" must be a non-empty string, got ${JSON.stringify(value)}`, location));
      continue;
    }
    for (const host of declaration.hosts) {
      const earlier = clusterOf.get(host);
      if (earlier === undefined) {
        clusterOf.set(host, value);
        declaredBy.set(host, declaration);
      } else if (earlier !== value) {
        const first = declaredBy.get(host);
        problems.push(
          inventoryProblem(
            InventoryCode.clusterConflict,
            `host "${host}" is in two LXD clusters: "${earlier}" (group "${first?.group ?? "?"}"${first?.location ? `, ${formatLocation(first.location)}` : ""}) and "${value}" (group "${group}")`,
            location,
          ),
        );
      }
    }
  }
  return { clusterOf, problems };
}

/**
 * Selected hosts grouped by cluster, in selection order: one entry per cluster (for work that
 * must run once per cluster) and one entry, keyed null, for the standalone servers.
 */
export function hostsByCluster(hosts: readonly InventoryHost[]): Map<string | null, InventoryHost[]> {
  const byCluster = new Map<string | null, InventoryHost[]>();
  for (const host of hosts) {
    const members = byCluster.get(host.cluster);
    if (members === undefined) byCluster.set(host.cluster, [host]);
    else members.push(host);
  }
  return byCluster;
}
