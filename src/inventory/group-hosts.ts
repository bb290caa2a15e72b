import type { InventoryGroup } from "./types.js";

/**
 * The hosts of a group and of all its descendants, each once, in Ansible's order: the group's
 * own hosts, then those of its children, then of their children, level by level. (Ansible walks
 * levels below the first in set order, which is not stable; here they follow declaration order.)
 */
export function groupHostNames(groups: ReadonlyMap<string, InventoryGroup>, name: string): string[] {
  const hosts: string[] = [];
  const seenHosts = new Set<string>();
  for (const group of descendantGroups(groups, name)) {
    for (const host of groups.get(group)?.hosts ?? []) {
      if (!seenHosts.has(host)) {
        seenHosts.add(host);
        hosts.push(host);
      }
    }
  }
  return hosts;
}

/** The group followed by its descendants, breadth first, each once. */
export function descendantGroups(groups: ReadonlyMap<string, InventoryGroup>, name: string): string[] {
  const ordered = [name];
  const seen = new Set(ordered);
  let level = ordered;
  while (level.length > 0) {
    const next: string[] = [];
    for (const group of level) {
      for (const child of groups.get(group)?.children ?? []) {
        if (seen.has(child)) continue;
        seen.add(child);
        next.push(child);
      }
    }
    for (const group of next) ordered.push(group);
    level = next;
  }
  return ordered;
}
