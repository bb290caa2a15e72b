import type { SourceLocation } from "../errors.js";

/**
 * The inventory model shared by the inventory loader (which builds it) and everything downstream
 * (selection, transport, engine). Pure data: no I/O, no classes.
 */

/** A variable value as it comes from YAML/INI: scalars, lists and mappings. */
export type VarValue = string | number | boolean | null | VarValue[] | { [key: string]: VarValue };
export type Vars = Record<string, VarValue>;

export interface InventoryGroup {
  name: string;
  /** Direct child group names, in declaration order. */
  children: string[];
  /** Host names declared directly in this group, in declaration order. */
  hosts: string[];
  /** Group vars after merging inline vars and group_vars/ files for this group alone. */
  vars: Vars;
}

export interface InventoryHost {
  name: string;
  /** Fully merged variables, resolved exactly as ansible-inventory resolves them. */
  vars: Vars;
  /** Every group the host belongs to, directly or through a child group, including "all". */
  groups: string[];
  /** The name of the LXD cluster the host is a member of (group var `lxd_cluster`), or null. */
  cluster: string | null;
  /**
   * Where the winning value of each connection variable (ansible_*, fleet_*) was set, so that a bad
   * value can be reported with its file:line:column. Absent for hosts built by hand.
   */
  varOrigins?: Readonly<Record<string, SourceLocation>>;
}

export interface Inventory {
  /** The files and directories it was read from, in order. */
  sources: string[];
  groups: Map<string, InventoryGroup>;
  hosts: Map<string, InventoryHost>;
  /** Non-fatal remarks (e.g. ignored ansible_ssh_common_args), printed once each. */
  warnings: string[];
}

/** How to reach a host, read from its Ansible connection variables (see connection.ts). */
export interface HostConnection {
  host: string;
  /** ansible_host, or the inventory name. */
  address: string;
  /** ansible_port; undefined lets ~/.ssh/config or the default (22) decide. */
  port: number | undefined;
  /** ansible_user; undefined lets ~/.ssh/config or the local user name decide. */
  user: string | undefined;
  /** ansible_ssh_private_key_file, with ~ expanded. */
  privateKeyFile: string | undefined;
  /** ansible_connection: "ssh" (default) or "local". */
  connection: "ssh" | "local";
  /** ansible_become and ansible_become_user (default root). */
  become: boolean;
  becomeUser: string;
  /** fleet_known_hosts: an extra known_hosts file for this host. */
  knownHostsFile: string | undefined;
  /** fleet_jump: a bastion as user@host:port. */
  jump: { user: string | undefined; address: string; port: number | undefined } | undefined;
}
