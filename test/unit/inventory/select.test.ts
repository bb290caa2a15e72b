import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { FleetError } from "../../../src/errors.js";
import { loadInventory } from "../../../src/inventory/load.js";
import { selectHosts, splitPattern } from "../../../src/inventory/select.js";
import type { Inventory } from "../../../src/inventory/types.js";
import { fixturesRoot } from "../../fixtures/inventory/ansible-inventory.js";

// Expected hosts, in order, from `ansible -i selection/hosts.yml PATTERN --list-hosts` (core 2.14).
const ansibleAnswers: Array<[string, string]> = [
  ["all", "loner,tb1,tb2,tb3,tbc1,tbc2,web01,web02,web10,db1"],
  ["*", "loner,tb1,tb2,tb3,tbc1,tbc2,web01,web02,web10,db1"],
  ["tb1", "tb1"],
  ["standalone", "tb1,tb2,tb3"],
  ["standalone:cluster1", "tb1,tb2,tb3,tbc1,tbc2"],
  ["standalone,cluster1", "tb1,tb2,tb3,tbc1,tbc2"],
  ["web:&standalone", "tb2"],
  ["all:!web", "loner,tb1,tb3,tbc1,tbc2,db1"],
  ["tb*", "tb1,tb2,tb3,tbc1,tbc2"],
  ["~tb[0-9]+", "tb1,tb2,tb3"],
  ["~tbc", "tbc1,tbc2"],
  ["web[0]", "tb2"],
  ["web[1:2]", "web01,web02"],
  ["web[-1]", "web10"],
  ["web[2:]", "web02,web10"],
  ["prod:!db", "tb2,web01,web02,web10"],
  ["tb?", "tb1,tb2,tb3"],
  ["!web", "loner,tb1,tb3,tbc1,tbc2,db1"],
  ["&prod", "tb2,tb3,web01,web02,web10,db1"],
  ["ungrouped", "loner"],
  ["prod:&web:!tb2", "web01,web02,web10"],
  ["tb1,tb1", "tb1"],
  ["db1:tbc2:tb1", "db1,tbc2,tb1"],
  ["cluster1,standalone", "tbc1,tbc2,tb1,tb2,tb3"],
  ["!cluster1,tb1", "tb1"],
  ["prod", "tb2,web01,web02,web10,db1,tb3"],
  ["*1", "tbc1,tbc2,tb1,web01,db1"],
  ["~.*0", "web01,web02,web10"],
];

let inventory: Inventory;
beforeAll(async () => {
  inventory = await loadInventory([join(fixturesRoot, "selection", "hosts.yml")]);
});

const names = (hosts: ReadonlyArray<{ name: string }>): string => hosts.map((host) => host.name).join(",");

function selectionError(pattern: string, limit?: string): FleetError {
  try {
    selectHosts(inventory, pattern, limit);
  } catch (error) {
    if (error instanceof FleetError) return error;
    throw error;
  }
  throw new Error(`pattern ${pattern} unexpectedly matched`);
}

describe("selectHosts follows Ansible's pattern semantics", () => {
  test.each(ansibleAnswers)("%s", (pattern, expected) => {
    expect(names(selectHosts(inventory, pattern))).toBe(expected);
  });

  test("no pattern means all", () => {
    expect(names(selectHosts(inventory))).toBe(names(selectHosts(inventory, "all")));
  });
});

describe("limit narrows the selection like --limit", () => {
  test.each([
    ["all", "standalone", "tb1,tb2,tb3"],
    ["prod", "tb*", "tb2,tb3"],
    ["standalone:cluster1", "!tb2", "tb1,tb3,tbc1,tbc2"],
  ])("%s limited to %s", (pattern, limit, expected) => {
    expect(names(selectHosts(inventory, pattern, limit))).toBe(expected);
  });

  test("@FILE reads one pattern per line", () => {
    const file = join(mkdtempSync(join(tmpdir(), "fleet-limit-")), "hosts.txt");
    writeFileSync(file, "cluster1\n\ntb1\n");
    expect(names(selectHosts(inventory, "all", `@${file}`))).toBe("tb1,tbc1,tbc2");
  });
});

describe("a pattern that selects nothing is a usage error", () => {
  test.each([
    ["tb9", /"tb9" matches no group or host/, /"tb1"/],
    ["standalone:clster1", /"clster1" matches no group or host/, /"cluster1"/],
    ["web0[12]", /"web0" matches no group or host/, /"web01"/],
    ["all:!tbx", /"tbx" matches no group or host/, /"tb1"/],
  ])("%s", (pattern, message, suggestion) => {
    const error = selectionError(pattern);
    expect(error.category).toBe("usage");
    expect(error.code).toBe("INVENTORY_NO_MATCH");
    expect(error.message).toMatch(message);
    expect(error.hint).toMatch(suggestion);
  });

  test("an intersection that leaves nothing", () => {
    const error = selectionError("web:&cluster1");
    expect(error.code).toBe("INVENTORY_NO_MATCH");
    expect(error.message).toContain("selects no host");
  });

  test("a limit that leaves nothing", () => {
    expect(selectionError("standalone", "cluster1").message).toContain('with limit "cluster1"');
  });

  test("a subscript past the end", () => {
    expect(selectionError("web[10]").message).toContain("outside the 4 matching hosts");
  });

  test("an invalid regular expression", () => {
    expect(selectionError("~tb(").code).toBe("INVENTORY_PATTERN");
  });

  test("an unreadable @FILE", () => {
    expect(selectionError("all", "@/nonexistent/limit.txt").code).toBe("INVENTORY_LIMIT_FILE");
  });
});

describe("splitPattern", () => {
  test.each([
    ["a:b", ["a", "b"]],
    ["a, b ,c", ["a", "b", "c"]],
    ["web:&db:!tb1", ["web", "&db", "!tb1"]],
    ["web[1:2]", ["web[1:2]"]],
    ["~tb[0-9]+:db", ["~tb[0-9]+", "db"]],
    ["10.0.0.1:22", ["10.0.0.1:22"]],
    ["fe80::1", ["fe80::1"]],
  ])("%s", (pattern, terms) => {
    expect(splitPattern(pattern)).toEqual(terms);
  });
});
