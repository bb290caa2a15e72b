import { homedir } from "node:os";
import { describe, expect, test } from "vitest";
import { FleetError, InputFileError } from "../../../src/errors.js";
import { connectionWarnings, hostConnection, hostConnections } from "../../../src/inventory/connection.js";
import type { HostConnection, InventoryHost, Vars } from "../../../src/inventory/types.js";
import { hostConnectionFor } from "../../support/host-connection.js";

const host = (vars: Vars, name = "tb1"): InventoryHost => ({
  name,
  vars,
  groups: ["all"],
  cluster: null,
  varOrigins: { ansible_port: { file: "inv.yml", line: 7, column: 9 } },
});

const defaults: HostConnection = hostConnectionFor("tb1");

describe("hostConnection reads Ansible's connection variables", () => {
  test.each<[string, Vars, Partial<HostConnection>]>([
    ["nothing set", {}, {}],
    [
      "the usual variables",
      { ansible_host: "127.0.1.1", ansible_port: 2222, ansible_user: "fleet", ansible_ssh_private_key_file: "/keys/id" },
      { address: "127.0.1.1", port: 2222, user: "fleet", privateKeyFile: "/keys/id" },
    ],
    ["the ssh_ aliases win when both are set", { ansible_host: "a", ansible_ssh_host: "b", ansible_port: 1, ansible_ssh_port: 2 }, { address: "b", port: 2 }],
    ["a port written as text", { ansible_port: "2200" }, { port: 2200 }],
    ["~ in key and known_hosts paths", { ansible_private_key_file: "~/.ssh/id", fleet_known_hosts: "~/kh" }, { privateKeyFile: `${homedir()}/.ssh/id`, knownHostsFile: `${homedir()}/kh` }],
    ["local connection", { ansible_connection: "local" }, { connection: "local" }],
    ["smart means ssh", { ansible_connection: "smart" }, { connection: "ssh" }],
    ["become with Ansible booleans", { ansible_become: "yes", ansible_become_user: "postgres" }, { become: true, becomeUser: "postgres" }],
    ["become false", { ansible_become: "False" }, { become: false }],
    ["a null value counts as unset", { ansible_user: null }, {}],
    ["jump host with user and port", { fleet_jump: "admin@bastion.example.com:2222" }, { jump: { user: "admin", address: "bastion.example.com", port: 2222 } }],
    ["jump host alone", { fleet_jump: "bastion" }, { jump: { user: undefined, address: "bastion", port: undefined } }],
    ["jump host IPv6", { fleet_jump: "ops@[fd00::1]:22" }, { jump: { user: "ops", address: "fd00::1", port: 22 } }],
  ])("%s", (_name, vars, expected) => {
    expect(hostConnection(host(vars))).toEqual({ ...defaults, ...expected });
  });
});

describe("bad connection variables are parse errors naming the host and, when known, the place", () => {
  test.each<[Vars, RegExp]>([
    [{ ansible_port: "22x" }, /ansible_port must be a port number/],
    [{ ansible_port: 70000 }, /ansible_port must be a port number/],
    [{ ansible_connection: "winrm" }, /fleet connects with ssh or local only/],
    [{ ansible_become: "maybe" }, /ansible_become must be a boolean/],
    [{ ansible_host: "{{ inventory_hostname }}.lan" }, /Jinja template/],
    [{ ansible_user: ["a"] }, /ansible_user must be text/],
    [{ fleet_jump: "a@b@c" }, /fleet_jump must be \[user@\]host\[:port\]/],
    [{ ansible_host: "  " }, /ansible_host is empty/],
  ])("%j", (vars, message) => {
    let error: unknown;
    try {
      hostConnection(host(vars));
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(FleetError);
    if (!(error instanceof FleetError)) return;
    expect(error.message).toMatch(/^host "tb1": /);
    expect(error.message).toMatch(message);
    expect(error.category).toBe("parse");
    expect(error.hint).toBeDefined();
  });

  test("the location of the variable is reported when the loader recorded it", () => {
    expect(() => hostConnection(host({ ansible_port: "x" }))).toThrow(
      expect.objectContaining({ location: { file: "inv.yml", line: 7, column: 9 } }) as Error,
    );
  });

  test("hostConnections reports every bad host at once", () => {
    const hosts = [host({ ansible_port: "x" }, "a"), host({}, "b"), host({ ansible_connection: "docker" }, "c")];
    let error: unknown;
    try {
      hostConnections(hosts);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(InputFileError);
    expect(error instanceof InputFileError ? error.problems.map((problem) => problem.message.split(":")[0]) : []).toEqual(['host "a"', 'host "c"']);
  });
});

test("ansible_ssh_common_args gives one warning for all hosts, not one per host", () => {
  const hosts = ["a", "b", "c", "d"].map((name) => host({ ansible_ssh_common_args: "-o ProxyJump=x" }, name));
  const warnings = connectionWarnings(hosts);
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toMatch(/^ansible_ssh_common_args is ignored \(set for 4 hosts: a, b, c, \.\.\.\)/);
  expect(connectionWarnings([host({})])).toEqual([]);
});
