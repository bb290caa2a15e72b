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

export interface BuildGroup {
  name: string;
  children: string[];
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
      group = { name, children: [], parents: [], hosts: [], hostSet: new Set(), vars: {}, varOrigins: new Map(), priority: 1 };
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

  /** Link child under parent; a link that would close a cycle is reported and left out. */
  addChild(parentName: string, childName: string, at: SourceLocation | undefined): void {
    const parent = this.addGroup(parentName);
    const child = this.addGroup(childName);
    if (parent.children.includes(childName)) return;
    const path = this.childPath(childName, parentName);
    if (path !== undefined) {
      const cycle = [parentName, ...path].join(" → ");
      this.report(inventoryProblem(InventoryCode.cycle, `group cycle: ${cycle}`, at));
      return;
    }
    parent.children.push(childName);
    if (!child.parents.includes(parentName)) child.parents.push(parentName);
  }

  /** The chain of child links from one group down to another, both included, if there is one. */
  private childPath(from: string, to: string): string[] | undefined {
    if (from === to) return [from];
    const seen = new Set<string>();
    const walk = (name: string): string[] | undefined => {
      if (name === to) return [name];
      if (seen.has(name)) return undefined;
      seen.add(name);
      for (const child of this.groups.get(name)?.children ?? []) {
        const rest = walk(child);
        if (rest !== undefined) return [name, ...rest];
      }
      return undefined;
    };
    return walk(from);
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
