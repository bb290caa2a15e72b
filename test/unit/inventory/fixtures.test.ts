import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { loadInventory } from "../../../src/inventory/load.js";
import { pythonJson } from "../../../src/inventory/python-json.js";
import { inventoryGraph, inventoryList } from "../../../src/inventory/render.js";
import { listCases, loadOptions } from "../../fixtures/inventory/ansible-inventory.js";

// Each fixture's list.json and graph.txt were written by ansible-inventory (regenerate.ts);
// fleet must give the same answer, list order included.
describe.each(listCases())("fixture $name", (fixture) => {
  test(`--list equals ansible-inventory's (${fixture.description})`, async () => {
    const inventory = await loadInventory(fixture.sources, loadOptions(fixture));
    const expected: unknown = JSON.parse(readFileSync(join(fixture.directory, "list.json"), "utf8"));
    expect(JSON.parse(pythonJson(inventoryList(inventory)))).toEqual(expected);
  });

  test("--graph equals ansible-inventory's", async () => {
    const inventory = await loadInventory(fixture.sources, loadOptions(fixture));
    expect(`${inventoryGraph(inventory)}\n`).toBe(readFileSync(join(fixture.directory, "graph.txt"), "utf8"));
  });
});
