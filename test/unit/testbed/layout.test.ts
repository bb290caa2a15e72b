import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { inventoryText } from "../../testbed/inventory-file.js";
import { planLayout } from "../../testbed/layout.js";

describe("testbed layout", () => {
  it("names and addresses standalone hosts and cluster members as CONTRACTS.md says", () => {
    const layout = planLayout({ hosts: 3, cluster: 2 }, "/state");
    expect(layout.hosts.map((host) => [host.name, host.role, host.address, host.port])).toEqual([
      ["tb1", "standalone", "127.0.1.1", 22],
      ["tb2", "standalone", "127.0.1.2", 22],
      ["tb3", "standalone", "127.0.1.3", 22],
      ["tbc1", "cluster", "127.0.1.101", 22],
      ["tbc2", "cluster", "127.0.1.102", 22],
    ]);
    expect(layout.inventoryFile).toBe("/state/inventory.yml");
    expect(layout.hosts[0]?.sshdPidFile).toBe("/state/hosts/tb1/sshd.pid");
  });

  it("puts a second testbed on its own subnet", () => {
    expect(planLayout({ hosts: 1, cluster: 0 }, "/other", 9).hosts.map((host) => host.address)).toEqual(["127.0.9.1"]);
  });

  it.each([
    [{ hosts: -1, cluster: 2 }, /--hosts/],
    [{ hosts: 1.5, cluster: 2 }, /--hosts/],
    [{ hosts: 3, cluster: 1 }, /--cluster must be 0 or/],
    [{ hosts: 3, cluster: 100 }, /--cluster/],
  ])("rejects the size %j", (size, message) => {
    expect(() => planLayout(size, "/state")).toThrow(message);
  });
});

describe("testbed inventory", () => {
  it("groups hosts as standalone and cluster1 with lxd_cluster set, strict known_hosts and the client key", () => {
    const layout = planLayout({ hosts: 2, cluster: 2 }, "/state");
    const inventory = parse(inventoryText(layout)) as {
      all: { vars: Record<string, string>; children: Record<string, { vars?: Record<string, string>; hosts: Record<string, unknown> }> };
    };
    expect(inventory.all.vars).toEqual({
      ansible_user: "root",
      ansible_ssh_private_key_file: "/state/id_ed25519",
      fleet_known_hosts: "/state/known_hosts",
    });
    expect(Object.keys(inventory.all.children["standalone"]?.hosts ?? {})).toEqual(["tb1", "tb2"]);
    expect(inventory.all.children["cluster1"]?.vars).toEqual({ lxd_cluster: "cluster1" });
    expect(inventory.all.children["cluster1"]?.hosts["tbc2"]).toEqual({ ansible_host: "127.0.1.102", ansible_port: 22 });
  });

  it("leaves out the cluster group when there is no cluster", () => {
    const inventory = parse(inventoryText(planLayout({ hosts: 1, cluster: 0 }, "/state"))) as { all: { children: object } };
    expect(Object.keys(inventory.all.children)).toEqual(["standalone"]);
  });
});
