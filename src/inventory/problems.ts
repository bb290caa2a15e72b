import { FleetError, type SourceLocation } from "../errors.js";

/**
 * Stable codes of inventory problems. Every code has a default hint the user can act on; a call
 * site may give a more specific one.
 */
export const InventoryCode = {
  notFound: "INVENTORY_NOT_FOUND",
  unreadable: "INVENTORY_UNREADABLE",
  yamlSyntax: "INVENTORY_YAML_SYNTAX",
  iniSyntax: "INVENTORY_INI_SYNTAX",
  structure: "INVENTORY_STRUCTURE",
  hostVarsNotMapping: "INVENTORY_HOST_VARS_NOT_MAPPING",
  varsFileNotMapping: "INVENTORY_VARS_FILE_NOT_MAPPING",
  hostName: "INVENTORY_HOST_NAME",
  groupName: "INVENTORY_GROUP_NAME",
  range: "INVENTORY_RANGE",
  cycle: "INVENTORY_CYCLE",
  undefinedGroup: "INVENTORY_UNDEFINED_GROUP",
  groupPriority: "INVENTORY_GROUP_PRIORITY",
  clusterConflict: "INVENTORY_CLUSTER_CONFLICT",
  clusterName: "INVENTORY_CLUSTER_NAME",
  unsupported: "INVENTORY_UNSUPPORTED",
  connectionVar: "INVENTORY_CONNECTION_VAR",
  noSource: "INVENTORY_NO_SOURCE",
  noMatch: "INVENTORY_NO_MATCH",
  limitFile: "INVENTORY_LIMIT_FILE",
  pattern: "INVENTORY_PATTERN",
} as const;

export type InventoryCodeValue = (typeof InventoryCode)[keyof typeof InventoryCode];

const defaultHints: Record<InventoryCodeValue, string> = {
  INVENTORY_NOT_FOUND: "check the path given with -i (or in FLEET_INVENTORY); relative paths start from the current directory",
  INVENTORY_UNREADABLE: "check the file permissions, or remove the entry if it does not belong in the inventory",
  INVENTORY_YAML_SYNTAX: "fix the YAML at this position (indentation, a missing ':' or an unclosed quote are the usual causes)",
  INVENTORY_INI_SYNTAX: "INI inventories hold [group], [group:vars] and [group:children] sections, host lines `name key=value ...` and `key=value` lines under :vars",
  INVENTORY_STRUCTURE: "a YAML inventory is a mapping of group names, each with optional `hosts:`, `children:` and `vars:` mappings",
  INVENTORY_HOST_VARS_NOT_MAPPING: "write the host's variables as a mapping (`host: {key: value}`), or leave the value empty",
  INVENTORY_VARS_FILE_NOT_MAPPING: "a group_vars/host_vars file must hold a mapping of variable names to values",
  INVENTORY_HOST_NAME: "host names are strings; quote names YAML would read as numbers, e.g. \"10\"",
  INVENTORY_GROUP_NAME: "group names are non-empty strings without spaces",
  INVENTORY_RANGE: "a range is [START:END] or [START:END:STEP] with START <= END, both numbers or both single letters, zero-padded to the same width",
  INVENTORY_CYCLE: "a group cannot contain itself, directly or through its children; remove one of the child links",
  INVENTORY_UNDEFINED_GROUP: "declare the group with a [NAME] or [NAME:children] section (in this or an earlier -i source)",
  INVENTORY_GROUP_PRIORITY: "ansible_group_priority must be an integer",
  INVENTORY_CLUSTER_CONFLICT: "a host can be a member of one LXD cluster only; remove it from one of the groups that set lxd_cluster",
  INVENTORY_CLUSTER_NAME: "set lxd_cluster to the cluster's name, a non-empty string",
  INVENTORY_UNSUPPORTED: "export the inventory to a static file with `ansible-inventory -i SOURCE --list -y > static.yml` and use that",
  INVENTORY_CONNECTION_VAR: "fix the variable's value in the inventory (see docs/inventory.md, connection variables)",
  INVENTORY_NO_SOURCE: "pass -i INVENTORY (file or directory, repeatable) or set FLEET_INVENTORY",
  INVENTORY_NO_MATCH: "run `fleet inventory --graph` to see the groups and hosts",
  INVENTORY_LIMIT_FILE: "@FILE must name a readable file with one host or group pattern per line",
  INVENTORY_PATTERN: "a pattern starting with ~ is a regular expression; check its syntax",
};

/** A problem in an inventory file (exit 4), located at file:line:column when known. */
export function inventoryProblem(
  code: InventoryCodeValue,
  message: string,
  location: SourceLocation | undefined,
  hint: string = defaultHints[code],
): FleetError {
  return new FleetError(code, message, location === undefined ? { category: "parse", hint } : { category: "parse", hint, location });
}

/** A problem with a pattern or option given on the command line (exit 5). */
export function inventoryUsageProblem(code: InventoryCodeValue, message: string, hint: string = defaultHints[code]): FleetError {
  return new FleetError(code, message, { category: "usage", hint });
}
