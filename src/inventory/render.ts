import { groupHostNames } from "./group-hosts.js";
import type { Inventory, InventoryGroup, InventoryHost, VarValue, Vars } from "./types.js";

/**
 * The three views of `fleet inventory`, shaped as ansible-inventory prints them. With `selected`
 * (a --limit) only those hosts appear, and groups that hold none of them are left out.
 */

/** Variables ansible-inventory never prints (Ansible's magic variables). */
const internalVars = new Set([
  "ansible_diff_mode",
  "ansible_config_file",
  "ansible_facts",
  "ansible_forks",
  "ansible_inventory_sources",
  "ansible_limit",
  "ansible_playbook_python",
  "ansible_run_tags",
  "ansible_skip_tags",
  "ansible_verbosity",
  "ansible_version",
  "inventory_dir",
  "inventory_file",
  "inventory_hostname",
  "inventory_hostname_short",
  "groups",
  "group_names",
  "omit",
  "playbook_dir",
]);

export function printableVars(host: InventoryHost): Vars {
  let internal = false;
  for (const name of internalVars) if (name in host.vars) internal = true;
  if (!internal) return host.vars;
  const vars: Vars = {};
  for (const [name, value] of Object.entries(host.vars)) if (!internalVars.has(name)) vars[name] = value;
  return vars;
}

class View {
  private readonly selectedNames: Set<string> | undefined;
  private readonly visibleGroups = new Map<string, boolean>();

  constructor(
    readonly inventory: Inventory,
    selected: readonly InventoryHost[] | undefined,
  ) {
    this.selectedNames = selected === undefined ? undefined : new Set(selected.map((host) => host.name));
  }

  hostsOf(group: InventoryGroup): string[] {
    const selected = this.selectedNames;
    return selected === undefined ? group.hosts : group.hosts.filter((name) => selected.has(name));
  }

  childrenOf(group: InventoryGroup): InventoryGroup[] {
    const children: InventoryGroup[] = [];
    for (const name of group.children) {
      const child = this.inventory.groups.get(name);
      if (child !== undefined && this.isVisible(child)) children.push(child);
    }
    return children;
  }

  private isVisible(group: InventoryGroup): boolean {
    const selected = this.selectedNames;
    if (selected === undefined) return true;
    let visible = this.visibleGroups.get(group.name);
    if (visible === undefined) {
      visible = groupHostNames(this.inventory.groups, group.name).some((name) => selected.has(name));
      this.visibleGroups.set(group.name, visible);
    }
    return visible;
  }

  hosts(): InventoryHost[] {
    const all = groupHostNames(this.inventory.groups, "all");
    const selected = this.selectedNames;
    return all
      .filter((name) => selected === undefined || selected.has(name))
      .map((name) => this.inventory.hosts.get(name))
      .filter((host): host is InventoryHost => host !== undefined);
  }
}

/** `--list`: {"_meta": {"hostvars": ...}, "all": {"children": [...]}, GROUP: {"hosts", "children"}}. */
export function inventoryList(inventory: Inventory, selected?: readonly InventoryHost[]): Vars {
  const view = new View(inventory, selected);
  const result: Vars = {};
  const seen = new Set<string>();
  const addGroup = (group: InventoryGroup): void => {
    const entry: Vars = {};
    if (group.name !== "all") entry["hosts"] = [...view.hostsOf(group)];
    const children = view.childrenOf(group);
    entry["children"] = children.map((child) => child.name);
    result[group.name] = entry;
    for (const child of children) {
      if (seen.has(child.name)) continue;
      seen.add(child.name);
      addGroup(child);
    }
    for (const key of ["hosts", "children"]) if (isEmptyList(entry[key])) delete entry[key];
    if (Object.keys(entry).length === 0) delete result[group.name];
  };
  const all = inventory.groups.get("all");
  if (all !== undefined) addGroup(all);
  const hostvars: Vars = {};
  for (const host of view.hosts()) {
    const vars = printableVars(host);
    if (Object.keys(vars).length > 0) hostvars[host.name] = vars;
  }
  result["_meta"] = { hostvars };
  return result;
}

function isEmptyList(value: VarValue | undefined): boolean {
  return Array.isArray(value) && value.length === 0;
}

/**
 * The most lines `--graph` prints in full. A group under several parents is printed under each,
 * as ansible-inventory does; groups that share children level after level make that exponential
 * (30 levels of two parents sharing one child: 2^30 lines). Past this many lines a group already
 * printed is printed again as one line that says so.
 */
export const MAX_GRAPH_LINES = 2_000_000;

/** `--graph`: the group tree, children first, then the group's own hosts. */
export function inventoryGraph(inventory: Inventory, selected?: readonly InventoryHost[]): string {
  const view = new View(inventory, selected);
  const all = inventory.groups.get("all");
  if (all === undefined) return "";
  const abbreviate = graphLines(view, all, new Map()) > MAX_GRAPH_LINES;
  const printed = new Set<string>();
  const lines: string[] = [];
  const label = (text: string, depth: number): string => (depth === 0 ? text : `${"  |".repeat(depth)}--${text}`);
  const walk = (group: InventoryGroup, depth: number): void => {
    if (abbreviate && printed.has(group.name)) {
      lines.push(label(`@${group.name}: (shown above)`, depth));
      return;
    }
    printed.add(group.name);
    lines.push(label(`@${group.name}:`, depth));
    for (const child of view.childrenOf(group)) walk(child, depth + 1);
    if (group.name !== "all") for (const host of view.hostsOf(group)) lines.push(label(host, depth + 1));
  };
  walk(all, 0);
  return lines.join("\n");
}

/** How many lines the full graph of a group has (each group counted once, however often it repeats). */
function graphLines(view: View, group: InventoryGroup, known: Map<string, number>): number {
  const cached = known.get(group.name);
  if (cached !== undefined) return cached;
  let lines = 1 + (group.name === "all" ? 0 : view.hostsOf(group).length);
  for (const child of view.childrenOf(group)) lines += graphLines(view, child, known);
  known.set(group.name, lines);
  return lines;
}
