import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { loadInventory } from "../../../src/inventory/load.js";
import { selectHosts } from "../../../src/inventory/select.js";
import type { Inventory } from "../../../src/inventory/types.js";
import { fixturesRoot } from "../../fixtures/inventory/ansible-inventory.js";

// Union patterns whose terms share hosts (tb2 is in standalone and web; tb3 in standalone and
// db; web and db are children of prod): every host comes once, where its first term puts it.
// Expected values from `ansible -i selection/hosts.yml PATTERN [-l LIMIT] --list-hosts` (core 2.14).
const overlapping: Array<[pattern: string, expected: string]> = [
  ["standalone:web", "tb1,tb2,tb3,web01,web02,web10"],
  ["standalone,web", "tb1,tb2,tb3,web01,web02,web10"],
  ["web:standalone", "tb2,web01,web02,web10,tb1,tb3"],
  ["tb2:web", "tb2,web01,web02,web10"],
  ["web:tb2", "tb2,web01,web02,web10"],
  ["web,prod,standalone", "tb2,web01,web02,web10,db1,tb3,tb1"],
  ["standalone:prod:web", "tb1,tb2,tb3,web01,web02,web10,db1"],
  ["db:standalone:web", "db1,tb3,tb1,tb2,web01,web02,web10"],
  ["tb*:web", "tb1,tb2,tb3,tbc1,tbc2,web01,web02,web10"],
  ["all:web", "loner,tb1,tb2,tb3,tbc1,tbc2,web01,web02,web10,db1"],
  ["*b*", "tb2,web01,web02,web10,db1,tb3,tb1,tbc1,tbc2"],
  ["tb3,db,tb3", "tb3,db1"],
  ["web[0]:standalone", "tb2,tb1,tb3"],
  ["standalone:web[0:1]", "tb1,tb2,tb3,web01"],
  ["~web|tb2:standalone", "tb2,web01,web02,web10,tb1,tb3"],
  ["web:prod:&standalone", "tb2,tb3"],
  ["prod:web:!db", "tb2,web01,web02,web10"],
];

const limited: Array<[pattern: string, limit: string, expected: string]> = [
  ["standalone:web", "web:tb1", "tb1,tb2,web01,web02,web10"],
  ["web:standalone", "standalone:web:tb2", "tb2,web01,web02,web10,tb1,tb3"],
  ["all", "web,web,tb2", "tb2,web01,web02,web10"],
];

let inventory: Inventory;
beforeAll(async () => {
  inventory = await loadInventory([join(fixturesRoot, "selection", "hosts.yml")]);
});

const namesOf = (pattern: string, limit?: string): string[] => selectHosts(inventory, pattern, limit).map((host) => host.name);

describe("a union of terms that share hosts gives each host once, in Ansible's order", () => {
  test.each(overlapping)("%s", (pattern, expected) => {
    const names = namesOf(pattern);
    expect(names.join(",")).toBe(expected);
    expect(new Set(names).size).toBe(names.length);
  });

  test.each(limited)("%s limited to %s", (pattern, limit, expected) => {
    const names = namesOf(pattern, limit);
    expect(names.join(",")).toBe(expected);
    expect(new Set(names).size).toBe(names.length);
  });

  test("the same objects as the inventory holds, once each", () => {
    const hosts = selectHosts(inventory, "standalone:web:prod:tb2");
    expect(hosts.map((host) => host.name)).toEqual(["tb1", "tb2", "tb3", "web01", "web02", "web10", "db1"]);
    for (const host of hosts) expect(host).toBe(inventory.hosts.get(host.name));
  });
});
