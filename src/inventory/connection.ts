import { homedir } from "node:os";
import { FleetError, InputFileError } from "../errors.js";
import { InventoryCode } from "./problems.js";
import type { HostConnection, InventoryHost, VarValue } from "./types.js";

/**
 * How to reach a host, from its Ansible connection variables. Where Ansible accepts two names for
 * one setting (ansible_host / ansible_ssh_host, ...) the second wins when both are set, as in
 * Ansible's ssh plugin. fleet's own variables: fleet_known_hosts (an extra known_hosts file) and
 * fleet_jump (a bastion, user@host:port). Values are not templated: a Jinja expression is an error.
 */
export function hostConnection(host: InventoryHost): HostConnection {
  const read = new ConnectionVars(host);
  const address = read.text(["ansible_host", "ansible_ssh_host"]);
  const jump = read.text(["fleet_jump"]);
  return {
    host: host.name,
    address: address ?? host.name,
    port: read.port(["ansible_port", "ansible_ssh_port"]),
    user: read.text(["ansible_user", "ansible_ssh_user"]),
    privateKeyFile: expandHome(read.text(["ansible_private_key_file", "ansible_ssh_private_key_file"])),
    connection: read.connection(),
    become: read.boolean("ansible_become") ?? false,
    becomeUser: read.text(["ansible_become_user"]) ?? "root",
    knownHostsFile: expandHome(read.text(["fleet_known_hosts"])),
    jump: jump === undefined ? undefined : read.jump(jump),
  };
}

/** Connections of many hosts; every bad variable of every host is reported at once. */
export function hostConnections(hosts: readonly InventoryHost[]): HostConnection[] {
  const connections: HostConnection[] = [];
  const problems: FleetError[] = [];
  for (const host of hosts) {
    try {
      connections.push(hostConnection(host));
    } catch (error) {
      if (!(error instanceof FleetError)) throw error;
      problems.push(error);
    }
  }
  if (problems.length > 0) throw new InputFileError(problems);
  return connections;
}

/** Variables Ansible would use that fleet ignores: one warning per variable, not per host. */
const ignoredVariables: Record<string, string> = {
  ansible_ssh_common_args: "fleet does not pass extra ssh arguments; put options in ~/.ssh/config, or use fleet_jump for a bastion",
  ansible_ssh_extra_args: "fleet does not pass extra ssh arguments; put options in ~/.ssh/config, or use fleet_jump for a bastion",
};

export function connectionWarnings(hosts: readonly InventoryHost[]): string[] {
  const users = new Map<string, string[]>(Object.keys(ignoredVariables).map((name) => [name, []]));
  const otherBecomeMethods: string[] = [];
  for (const host of hosts) {
    for (const [name, names] of users) if (isSet(host.vars[name])) names.push(host.name);
    const method = host.vars["ansible_become_method"];
    if (isSet(method) && method !== "sudo") otherBecomeMethods.push(host.name);
  }
  const warnings: string[] = [];
  for (const [name, names] of users) {
    if (names.length > 0) warnings.push(`${name} is ignored (set for ${describeHosts(names)}): ${ignoredVariables[name] ?? ""}`);
  }
  if (otherBecomeMethods.length > 0) {
    warnings.push(`ansible_become_method other than sudo is ignored (set for ${describeHosts(otherBecomeMethods)}): fleet becomes with sudo`);
  }
  return warnings;
}

function describeHosts(names: readonly string[]): string {
  const example = names.slice(0, 3).join(", ");
  return `${names.length} host${names.length === 1 ? "" : "s"}: ${example}${names.length > 3 ? ", ..." : ""}`;
}

function isSet(value: VarValue | undefined): boolean {
  return value !== undefined && value !== null && value !== "";
}

function expandHome(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  if (path === "~") return homedir();
  if (path.startsWith("~/")) return homedir() + path.slice(1);
  return path;
}

const sshConnections = new Set(["ssh", "smart", "paramiko", "paramiko_ssh", "ansible.builtin.ssh", "ansible.builtin.paramiko_ssh"]);
const localConnections = new Set(["local", "ansible.builtin.local"]);
const booleanTrue = new Set(["y", "yes", "on", "1", "true", "t"]);
const booleanFalse = new Set(["n", "no", "off", "0", "false", "f"]);

class ConnectionVars {
  constructor(private readonly host: InventoryHost) {}

  private problem(name: string, message: string, hint?: string): FleetError {
    const location = this.host.varOrigins?.[name];
    return new FleetError(InventoryCode.connectionVar, `host "${this.host.name}": ${name} ${message}`, {
      category: "parse",
      hint: hint ?? "fix the variable's value in the inventory (see docs/inventory.md, connection variables)",
      ...(location === undefined ? {} : { location }),
    });
  }

  /** The last of the names that is set, with its name. */
  private value(names: readonly string[]): [string, VarValue] | undefined {
    let found: [string, VarValue] | undefined;
    for (const name of names) {
      const value = this.host.vars[name];
      if (value !== undefined && value !== null) found = [name, value];
    }
    return found;
  }

  text(names: readonly string[]): string | undefined {
    const found = this.value(names);
    if (found === undefined) return undefined;
    const [name, value] = found;
    if (typeof value !== "string" && typeof value !== "number") throw this.problem(name, `must be text, got ${JSON.stringify(value)}`);
    const text = String(value);
    if (text.includes("{{") || text.includes("{%")) {
      throw this.problem(name, `is a Jinja template (${text}), which fleet does not evaluate`, "write the value out literally");
    }
    if (text.trim() === "") throw this.problem(name, "is empty");
    return text;
  }

  port(names: readonly string[]): number | undefined {
    const found = this.value(names);
    if (found === undefined) return undefined;
    const [name, value] = found;
    const port = typeof value === "number" ? value : typeof value === "string" && /^\s*[0-9]+\s*$/.test(value) ? Number(value) : NaN;
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw this.problem(name, `must be a port number from 1 to 65535, got ${JSON.stringify(value)}`);
    }
    return port;
  }

  boolean(name: string): boolean | undefined {
    const value = this.host.vars[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value === "boolean") return value;
    const normalized = String(value).trim().toLowerCase();
    if ((typeof value === "number" || typeof value === "string") && booleanTrue.has(normalized)) return true;
    if ((typeof value === "number" || typeof value === "string") && booleanFalse.has(normalized)) return false;
    throw this.problem(name, `must be a boolean (true/false, yes/no), got ${JSON.stringify(value)}`);
  }

  connection(): "ssh" | "local" {
    const kind = this.text(["ansible_connection"]);
    if (kind === undefined || sshConnections.has(kind)) return "ssh";
    if (localConnections.has(kind)) return "local";
    throw this.problem("ansible_connection", `is "${kind}"; fleet connects with ssh or local only`);
  }

  jump(text: string): NonNullable<HostConnection["jump"]> {
    const match = /^(?:([^@\s]+)@)?(\[[^\]]+\]|[^:@\s[\]]+)(?::([0-9]+))?$/.exec(text.trim());
    const port = match?.[3] === undefined ? undefined : Number(match[3]);
    if (!match || (port !== undefined && (port < 1 || port > 65535))) {
      throw this.problem("fleet_jump", `must be [user@]host[:port], got "${text}"`, "e.g. fleet_jump: admin@bastion.example.com:22");
    }
    const address = (match[2] ?? "").replace(/^\[(.*)\]$/, "$1");
    return { user: match[1], address, port };
  }
}
