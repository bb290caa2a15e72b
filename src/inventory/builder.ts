import type { FleetError, SourceLocation } from "../errors.js";
import { InventoryCode, inventoryProblem } from "./problems.js";
import type { VarValue, Vars } from "./types.js";
import { isTrackedVar } from "./tracked-vars.js";

/**
 * The mutable inventory the file readers fill in, one source after the other, with the same
 * operations and rules as Ansible's InventoryData: groups and hosts are created on first mention
 * and keep that order; vars set later replace earlier ones; child links may not form a cycle.
 * Readers report problems here instead of stopping, so every problem of every file is listed.
 */

/**
 * The most hosts one inventory may hold: far above a real fleet, and a bound on the memory a few
 * lines of ranges can claim (1,000,000 hosts take about 1 GB and 7 s to list).
 */
export const MAX_INVENTORY_HOSTS = 1_000_000;

/** Cycles whose chain of groups is named in full (finding one walks the groups below it). */
const MAX_CYCLES_NAMED = 20;

export interface BuildGroup {
  name: string;
  /** Where the group was first linked under a parent, if it was in a file. */
  linkedAt: SourceLocation | undefined;
  children: string[];
  childSet: Set<string>;
  parents: string[];
  hosts: string[];
  hostSet: Set<string>;
  vars: Vars;
  varOrigins: Map<string, SourceLocation>;
  /** ansible_group_priority (default 1): orders sibling groups when their vars are merged. */
  priority: number;
}

export interface BuildHost {
  name: string;
  vars: Vars;
  /** Created on the first connection variable: most hosts of a large inventory set none. */
  varOrigins: Map<string, SourceLocation> | undefined;
  /** Groups the host was put in directly, in order. */
  groups: string[];
}

export class InventoryBuilder {
  readonly groups = new Map<string, BuildGroup>();
  readonly hosts = new Map<string, BuildHost>();
  readonly problems: FleetError[] = [];
  readonly warnings: string[] = [];
  private tooManyHosts = false;
  private cyclesNamed = 0;

  constructor() {
    this.addGroup("all");
    this.addGroup("ungrouped");
    this.addChild("all", "ungrouped", undefined);
  }

  report(problem: FleetError): void {
    this.problems.push(problem);
  }

  warn(message: string): void {
    this.warnings.push(message);
  }

  addGroup(name: string): BuildGroup {
    let group = this.groups.get(name);
    if (group === undefined) {
      group = { name, linkedAt: undefined, children: [], childSet: new Set(), parents: [], hosts: [], hostSet: new Set(), vars: {}, varOrigins: new Map(), priority: 1 };
      this.groups.set(name, group);
    }
    return group;
  }

  /** Create the host on first mention (the port only counts then, as in Ansible) and put it in the group. */
  addHost(name: string, groupName: string | undefined, port: number | undefined, at: SourceLocation | undefined): BuildHost {
    let host = this.hosts.get(name);
    if (host === undefined) {
      host = { name, vars: {}, varOrigins: undefined, groups: [] };
      this.hosts.set(name, host);
      if (port !== undefined) this.setHostVar(name, "ansible_port", port, at);
    }
    if (groupName !== undefined) {
      const group = this.addGroup(groupName);
      if (!group.hostSet.has(name)) {
        group.hostSet.add(name);
        group.hosts.push(name);
        host.groups.push(groupName);
      }
    }
    return host;
  }

  /**
   * Whether the hosts may be added without the inventory growing past MAX_INVENTORY_HOSTS. When
   * not, reports it (once, at `at`) and the caller leaves them out.
   */
  admitHosts(names: readonly string[], at: SourceLocation | undefined): boolean {
    if (this.hosts.size + names.length <= MAX_INVENTORY_HOSTS) return true;
    let added = 0;
    for (const name of names) if (!this.hosts.has(name)) added++;
    if (this.hosts.size + added <= MAX_INVENTORY_HOSTS) return true;
    if (!this.tooManyHosts) {
      this.tooManyHosts = true;
      this.report(
        inventoryProblem(
          InventoryCode.range,
          `these hosts would make the inventory larger than ${MAX_INVENTORY_HOSTS.toLocaleString("en-US")} hosts, more than fleet reads`,
          at,
          "check the ranges: an inventory of this size is usually a range with a wrong end (web[0:99999] for web[0:999])",
        ),
      );
    }
    return false;
  }

  /** Link child under parent; a link that would close a cycle is reported and left out. */
  addChild(parentName: string, childName: string, at: SourceLocation | undefined): void {
    const parent = this.addGroup(parentName);
    const child = this.addGroup(childName);
    if (parent.childSet.has(childName)) return;
    if (this.reaches(childName, parentName)) {
      // the chain is named for the first few cycles; finding it walks the groups below the child
      const path = this.cyclesNamed++ < MAX_CYCLES_NAMED ? this.childPath(childName, parentName) : undefined;
      const cycle = path === undefined ? `${parentName} → ${childName} → … → ${parentName}` : [parentName, ...path].join(" → ");
      this.report(inventoryProblem(InventoryCode.cycle, `group cycle: ${cycle}`, at));
      return;
    }
    parent.children.push(childName);
    parent.childSet.add(childName);
    // links are only made here, in pairs: not in parent.childSet means not in child.parents either
    child.parents.push(parentName);
    child.linkedAt ??= at;
  }

  /**
   * Whether a chain of child links leads from one group down to another. Searched from both ends
   * at once, a level at a time on the smaller side, so that a link added at either end of a long
   * chain (parents first or children first) costs a step or two, not the length of the chain.
   */
  private reaches(from: string, to: string): boolean {
    if (from === to) return true;
    const below = new Set([from]);
    const above = new Set([to]);
    let down = [from];
    let up = [to];
    let turn = false;
    while (down.length > 0 && up.length > 0) {
      // the smaller side; on a tie, each side in turn (a chain is one group wide at every level)
      turn = !turn;
      const goingDown = down.length < up.length || (down.length === up.length && turn);
      const next: string[] = [];
      for (const name of goingDown ? down : up) {
        const group = this.groups.get(name);
        for (const neighbour of (goingDown ? group?.children : group?.parents) ?? []) {
          if ((goingDown ? above : below).has(neighbour)) return true;
          const seen = goingDown ? below : above;
          if (seen.has(neighbour)) continue;
          seen.add(neighbour);
          next.push(neighbour);
        }
      }
      if (goingDown) down = next;
      else up = next;
    }
    return false;
  }

  /**
   * The chain of child links from one group down to another, both included, if there is one.
   * Depth first, in child order, without recursion: a chain of groups may be thousands long.
   */
  private childPath(from: string, to: string): string[] | undefined {
    if (from === to) return [from];
    const seen = new Set<string>();
    // the frames of a recursive walk: a group and the index of its next child to visit
    const path: string[] = [];
    const next: number[] = [];
    const enter = (name: string): boolean => {
      if (name === to) {
        path.push(name);
        return true;
      }
      if (seen.has(name)) return false;
      seen.add(name);
      path.push(name);
      next.push(0);
      return false;
    };
    if (enter(from)) return path;
    while (next.length > 0) {
      const depth = next.length - 1;
      const children = this.groups.get(path[depth] as string)?.children ?? [];
      const index = next[depth] as number;
      if (index >= children.length) {
        path.pop();
        next.pop();
        continue;
      }
      next[depth] = index + 1;
      if (enter(children[index] as string)) return path;
    }
    return undefined;
  }

  setGroupVar(groupName: string, key: string, value: VarValue, at: SourceLocation | undefined): void {
    const group = this.addGroup(groupName);
    if (key === "ansible_group_priority") {
      const priority = pythonInt(value);
      if (priority === undefined) {
        this.report(
          inventoryProblem(InventoryCode.groupPriority, `ansible_group_priority of group "${groupName}" is not an integer: ${JSON.stringify(value)}`, at),
        );
      } else {
        group.priority = priority;
      }
      return;
    }
    group.vars[key] = value;
    if (at !== undefined && isTrackedVar(key)) group.varOrigins.set(key, at);
  }

  setHostVar(hostName: string, key: string, value: VarValue, at: SourceLocation | undefined): void {
    const host = this.hosts.get(hostName) ?? this.addHost(hostName, undefined, undefined, at);
    host.vars[key] = value;
    if (at !== undefined && isTrackedVar(key)) (host.varOrigins ??= new Map()).set(key, at);
  }
}

/** Python's int() on an inventory value, or undefined where it would raise. */
function pythonInt(value: VarValue): number | undefined {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "number") return Number.isFinite(value) ? Math.trunc(value) : undefined;
  if (typeof value === "string" && /^\s*[-+]?[0-9](?:_?[0-9])*\s*$/.test(value)) return Number(value.replace(/_/g, ""));
  return undefined;
}
