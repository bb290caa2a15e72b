import type { InventoryBuilder } from "./builder.js";

/**
 * Ansible's reconcile_inventory, run once every source has been read: every group without a
 * parent becomes a child of "all"; a host in no group but "all" goes to "ungrouped", and a host
 * that is in "ungrouped" and in some real group leaves "ungrouped".
 */
export function reconcile(builder: InventoryBuilder): void {
  for (const group of builder.groups.values()) {
    if (group.name !== "all" && group.parents.length === 0) builder.addChild("all", group.name, undefined);
  }
  const ungrouped = builder.addGroup("ungrouped");
  const leaving = new Set<string>();
  for (const host of builder.hosts.values()) {
    const realGroups = host.groups.filter((name) => name !== "all" && name !== "ungrouped");
    if (host.groups.includes("ungrouped")) {
      if (realGroups.length > 0) leaving.add(host.name);
    } else if (realGroups.length === 0) {
      builder.addHost(host.name, "ungrouped", undefined, undefined);
    }
  }
  if (leaving.size > 0) {
    ungrouped.hosts = ungrouped.hosts.filter((name) => !leaving.has(name));
    for (const name of leaving) {
      ungrouped.hostSet.delete(name);
      const host = builder.hosts.get(name);
      if (host !== undefined) host.groups = host.groups.filter((group) => group !== "ungrouped");
    }
  }
  for (const name of builder.hosts.keys()) {
    if (builder.groups.has(name)) builder.warn(`"${name}" is both a group and a host name`);
  }
}
