import type { SourceLocation } from "../errors.js";
import type { BuildGroup, InventoryBuilder } from "./builder.js";
import type { Vars } from "./types.js";
import { isTrackedVar } from "./tracked-vars.js";
import type { SourceVarsFiles, VarsLayer } from "./vars-files.js";

/**
 * Variable precedence, exactly as ansible-inventory (core 2.14, default configuration) merges a
 * host's variables, lowest first; a later layer replaces whole top-level values of an earlier one:
 *
 *   1. inline vars of group "all"
 *   2. inline vars of the host's other groups, ordered by (depth, ansible_group_priority, name)
 *   3. group_vars/all files, source by source (-i order)
 *   4. group_vars/all beside the playbook (only with a playbook directory)
 *   5. group_vars/GROUP files of the host's other groups: source by source, and within one source
 *      in the order of 2
 *   6. group_vars/GROUP beside the playbook, in the order of 2
 *   7. the host's inline vars (every declaration, in reading order)
 *   8. host_vars/HOST files, source by source
 *   9. host_vars/HOST beside the playbook
 *
 * Depth is the longest chain of child links from "all" (all = 0), so a deeper group wins over a
 * shallower one even when they are unrelated. ansible_group_priority set inline changes the order
 * and is not a variable; set in a group_vars file it is an ordinary variable (as in Ansible).
 */
export class Precedence {
  private readonly depths = new Map<string, number>();
  private readonly ranks = new Map<string, number>();
  private readonly closures = new Map<string, Set<string>>();
  private readonly hostGroupsCache = new Map<string, string[]>();
  private readonly groupLayersCache = new Map<string, MergedVars>();

  /**
   * @param varsFiles group_vars/host_vars of each inventory source, in -i order
   * @param playbookVarsFiles those beside the playbook, if there is one
   */
  constructor(
    private readonly builder: InventoryBuilder,
    private readonly varsFiles: readonly SourceVarsFiles[],
    private readonly playbookVarsFiles?: SourceVarsFiles,
  ) {
    const ordered = [...builder.groups.values()].sort((a, b) => this.compareGroups(a, b));
    ordered.forEach((group, index) => this.ranks.set(group.name, index));
  }

  depth(name: string): number {
    const known = this.depths.get(name);
    if (known !== undefined) return known;
    const parents = this.builder.groups.get(name)?.parents ?? [];
    // a loop, not Math.max(...parents): a group may have 100,000 parents
    let depth = 0;
    if (name !== "all") for (const parent of parents) depth = Math.max(depth, this.depth(parent) + 1);
    this.depths.set(name, depth);
    return depth;
  }

  private compareGroups(a: BuildGroup, b: BuildGroup): number {
    return this.depth(a.name) - this.depth(b.name) || a.priority - b.priority || byCodePoint(a.name, b.name);
  }

  /**
   * Every group a host is in (directly or through child groups), "all" included, in merge order.
   * Hosts with the same direct groups share one (read-only) array.
   */
  hostGroups(directGroups: readonly string[]): string[] {
    const key = directGroups.join("\u0000");
    let groups = this.hostGroupsCache.get(key);
    if (groups === undefined) {
      const names = new Set<string>();
      for (const group of directGroups) for (const name of this.closure(group)) names.add(name);
      groups = [...names].sort((a, b) => (this.ranks.get(a) ?? 0) - (this.ranks.get(b) ?? 0));
      this.hostGroupsCache.set(key, groups);
    }
    return groups;
  }

  /** The group and all its ancestors. */
  private closure(name: string): Set<string> {
    let closure = this.closures.get(name);
    if (closure === undefined) {
      closure = new Set([name]);
      for (const parent of this.builder.groups.get(name)?.parents ?? []) for (const ancestor of this.closure(parent)) closure.add(ancestor);
      this.closures.set(name, closure);
    }
    return closure;
  }

  /** A group's own vars: inline, then its group_vars files source by source, then the playbook's. */
  groupVars(name: string): MergedVars {
    const merged = new MergedVars();
    const group = this.builder.groups.get(name);
    if (group !== undefined) merged.apply({ vars: group.vars, origins: group.varOrigins });
    for (const files of this.varsFiles) merged.apply(files.groups.get(name));
    merged.apply(this.playbookVarsFiles?.groups.get(name));
    return merged;
  }

  /** All layers for one host; `groups` is hostGroups() of the host. */
  hostVars(hostName: string, groups: readonly string[]): MergedVars {
    const merged = this.groupLayers(groups).copy();
    const host = this.builder.hosts.get(hostName);
    if (host !== undefined) merged.apply({ vars: host.vars, origins: host.varOrigins ?? noOrigins });
    for (const files of this.varsFiles) merged.apply(files.hosts.get(hostName));
    merged.apply(this.playbookVarsFiles?.hosts.get(hostName));
    return merged;
  }

  /** Layers 1 to 6, shared by every host with the same groups. */
  private groupLayers(groups: readonly string[]): MergedVars {
    const key = groups.join("\u0000");
    let merged = this.groupLayersCache.get(key);
    if (merged !== undefined) return merged;
    merged = new MergedVars();
    const others = groups.filter((name) => name !== "all");
    const inline = (name: string): VarsLayer | undefined => {
      const group = this.builder.groups.get(name);
      return group === undefined ? undefined : { vars: group.vars, origins: group.varOrigins };
    };
    merged.apply(inline("all"));
    for (const name of others) merged.apply(inline(name));
    for (const files of this.varsFiles) merged.apply(files.groups.get("all"));
    merged.apply(this.playbookVarsFiles?.groups.get("all"));
    for (const files of this.varsFiles) for (const name of others) merged.apply(files.groups.get(name));
    for (const name of others) merged.apply(this.playbookVarsFiles?.groups.get(name));
    this.groupLayersCache.set(key, merged);
    return merged;
  }
}

const noOrigins: ReadonlyMap<string, SourceLocation> = new Map();

export class MergedVars {
  vars: Vars = {};
  origins: Record<string, SourceLocation> = {};
  /** Copies share their origins until a tracked variable changes (most hosts set none). */
  private ownsOrigins = true;

  apply(layer: VarsLayer | undefined): void {
    if (layer === undefined) return;
    for (const name of Object.keys(layer.vars)) {
      this.vars[name] = layer.vars[name] ?? null;
      if (isTrackedVar(name)) {
        if (!this.ownsOrigins) {
          this.origins = { ...this.origins };
          this.ownsOrigins = true;
        }
        const origin = layer.origins.get(name);
        if (origin === undefined) delete this.origins[name];
        else this.origins[name] = origin;
      }
    }
  }

  copy(): MergedVars {
    const copy = new MergedVars();
    copy.vars = { ...this.vars };
    copy.origins = this.origins;
    copy.ownsOrigins = false;
    this.ownsOrigins = false;
    return copy;
  }
}

/** Python's string order (Ansible sorts sibling groups by name with it): code points, not UTF-16 units. */
function byCodePoint(a: string, b: string): number {
  const left = [...a];
  const right = [...b];
  for (let index = 0; index < Math.min(left.length, right.length); index++) {
    const difference = (left[index]?.codePointAt(0) ?? 0) - (right[index]?.codePointAt(0) ?? 0);
    if (difference !== 0) return difference;
  }
  return left.length - right.length;
}
