import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { hostsByCluster } from "../../../src/inventory/clusters.js";
import { loadInventory } from "../../../src/inventory/load.js";
import { selectHosts } from "../../../src/inventory/select.js";
import { fixturesRoot } from "../../fixtures/inventory/ansible-inventory.js";

const clusterInventory = (): ReturnType<typeof loadInventory> => loadInventory([join(fixturesRoot, "lxd-clusters", "hosts.yml")]);

describe("LXD clusters", () => {
  test("each host knows its cluster, set inline or in group_vars; others are standalone", async () => {
    const inventory = await clusterInventory();
    const clusters = Object.fromEntries([...inventory.hosts.values()].map((host) => [host.name, host.cluster]));
    expect(clusters).toEqual({ tb1: null, tb2: null, tbc1: "cluster1", tbc2: "cluster1", tbd1: "edge", tbd2: "edge" });
  });

  test("hostsByCluster groups the selected hosts for once-per-cluster work", async () => {
    const inventory = await clusterInventory();
    const byCluster = hostsByCluster(selectHosts(inventory, "monitoring:cluster2"));
    expect([...byCluster.entries()].map(([cluster, hosts]) => [cluster, hosts.map((host) => host.name)])).toEqual([
      [null, ["tb1"]],
      ["cluster1", ["tbc1"]],
      ["edge", ["tbd1", "tbd2"]],
    ]);
  });
});

describe("the model", () => {
  test("a host lists all its groups in merge order, all first", async () => {
    const inventory = await loadInventory([join(fixturesRoot, "deep-nesting", "hosts.yaml")]);
    expect(inventory.hosts.get("deep1")?.groups).toEqual(["all", "l1", "zz_shallow", "l2", "l3", "l4", "l5"]);
  });

  test("group vars merge the group's inline vars with its group_vars files", async () => {
    const inventory = await loadInventory([join(fixturesRoot, "group-vars-dirs", "inventory.yml")]);
    expect(inventory.groups.get("web")?.vars).toEqual({ who: "file-web-10", port: 8080, layered: "override", nested_file: "read" });
  });

  test("connection variables remember where their value was set", async () => {
    const file = join(fixturesRoot, "lxd-clusters", "hosts.yml");
    const inventory = await loadInventory([file]);
    expect(inventory.hosts.get("tbc1")?.varOrigins).toEqual({
      ansible_host: { file, line: 14, column: 20 },
      ansible_user: { file, line: 3, column: 5 },
      lxd_cluster: { file, line: 12, column: 18 },
    });
  });

  test("ansible_ssh_common_args set on many hosts is one warning", async () => {
    const directory = mkdtempSync(join(tmpdir(), "fleet-inventory-"));
    const file = join(directory, "hosts.ini");
    writeFileSync(file, "[web]\nw[1:5]\n[web:vars]\nansible_ssh_common_args='-o StrictHostKeyChecking=no'\n");
    const inventory = await loadInventory([file]);
    expect(inventory.warnings.filter((warning) => warning.includes("ansible_ssh_common_args"))).toHaveLength(1);
  });
});
