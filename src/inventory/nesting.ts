import type { FleetError } from "../errors.js";
import type { InventoryBuilder } from "./builder.js";
import { InventoryCode, inventoryProblem } from "./problems.js";

/**
 * How deep groups may be nested below `all`. Real inventories use a handful of levels; the bound
 * keeps the work of merging variables (every host's groups and their ancestors) and the recursion
 * of the readers that walk the tree small, whatever a file says.
 */
export const MAX_GROUP_DEPTH = 100;

/**
 * The problem of groups nested deeper than MAX_GROUP_DEPTH, if they are, located at the child link
 * that crosses the limit. Found without recursion (a chain may be thousands of groups long): the
 * longest chain of child links to each group, in topological order. Child links form no cycle
 * (the builder refuses those).
 */
export function nestingProblem(builder: InventoryBuilder): FleetError | undefined {
  const depth = new Map<string, number>();
  const deepestParent = new Map<string, string>();
  const waiting = new Map<string, number>();
  const ready: string[] = [];
  for (const group of builder.groups.values()) {
    waiting.set(group.name, group.parents.length);
    if (group.parents.length === 0) {
      depth.set(group.name, 0);
      ready.push(group.name);
    }
  }
  let deepest: string | undefined;
  while (ready.length > 0) {
    const name = ready.pop() as string;
    const level = depth.get(name) ?? 0;
    if (level > MAX_GROUP_DEPTH && (deepest === undefined || level > (depth.get(deepest) ?? 0))) deepest = name;
    for (const child of builder.groups.get(name)?.children ?? []) {
      if (level + 1 > (depth.get(child) ?? -1)) {
        depth.set(child, level + 1);
        deepestParent.set(child, name);
      }
      const left = (waiting.get(child) ?? 1) - 1;
      waiting.set(child, left);
      if (left === 0) ready.push(child);
    }
  }
  if (deepest === undefined) return undefined;

  const chain: string[] = [];
  for (let step: string | undefined = deepest; step !== undefined; step = deepestParent.get(step)) chain.push(step);
  chain.reverse();
  const crossing = builder.groups.get(chain[MAX_GROUP_DEPTH + 1] ?? deepest);
  const shown = chain.length > 8 ? [...chain.slice(0, 4), `... ${chain.length - 8} more ...`, ...chain.slice(-4)] : chain;
  return inventoryProblem(
    InventoryCode.structure,
    `groups are nested ${chain.length - 1} levels deep (${shown.join(" → ")}), deeper than the ${MAX_GROUP_DEPTH} levels fleet reads`,
    crossing?.linkedAt,
    "flatten the group tree: a group can have several parents, so a host's groups rarely need more than a few levels",
  );
}
