import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { InputFileError } from "../../../src/errors.js";
import { loadInventory } from "../../../src/inventory/load.js";

/** An inventory with host w1 in group web, and host_vars/w1.yml holding the given text. */
function inventoryWithHostVars(text: string): string {
  const directory = mkdtempSync(join(tmpdir(), "fleet-inventory-"));
  mkdirSync(join(directory, "host_vars"));
  writeFileSync(join(directory, "hosts.yml"), "web:\n  vars: {inline: kept}\n  hosts: {w1: }\n");
  writeFileSync(join(directory, "host_vars", "w1.yml"), text);
  return join(directory, "hosts.yml");
}

// The fixture empty-vars-files covers the usual shapes (checked against ansible-inventory); these
// are the rarer ways of writing an empty document, and the values that stay errors.
describe("a vars file whose document is empty", () => {
  test.each([
    ["`--- ~`", "--- ~\n"],
    ["`---` and `...`", "---\n# nothing\n...\n"],
    ["a null tag", "--- !!null ''\n"],
    ["`Null`", "Null\n"],
    ["blank lines", "\n\n  \n"],
  ])("%s: no variables", async (_name, text) => {
    const inventory = await loadInventory([inventoryWithHostVars(text)]);
    expect(inventory.hosts.get("w1")?.vars).toEqual({ inline: "kept" });
  });
});

// Ansible also skips a vars file whose value is false, 0, "" or [] (it tests the value for truth)
// and fails on any other non-mapping. fleet keeps all of them errors (docs/inventory.md).
describe("a vars file that is not a mapping", () => {
  test.each([
    ["a list", "- a\n", "a list"],
    ["an empty list", "[]\n", "a list"],
    ["false", "false\n", "a single value"],
    ["0", "0\n", "a single value"],
    ["empty text", '""\n', "a single value"],
    ["text", "just text\n", "a single value"],
  ])("%s: INVENTORY_VARS_FILE_NOT_MAPPING", async (_name, text, found) => {
    const error: unknown = await loadInventory([inventoryWithHostVars(text)]).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(InputFileError);
    if (!(error instanceof InputFileError)) return;
    expect(error.problems.map((problem) => [problem.code, problem.message])).toEqual([
      ["INVENTORY_VARS_FILE_NOT_MAPPING", `a vars file must hold a mapping of variables, found ${found}`],
    ]);
  });
});
