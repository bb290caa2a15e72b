import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { InputFileError } from "../../../src/errors.js";
import { loadInventory } from "../../../src/inventory/load.js";
import { pythonJson } from "../../../src/inventory/python-json.js";
import { inventoryList } from "../../../src/inventory/render.js";

const byteOrderMark = "\uFEFF";

/** fleet inventory --list of one file written with the given name and text. */
async function listOf(name: string, text: string): Promise<unknown> {
  const file = join(mkdtempSync(join(tmpdir(), "fleet-inventory-")), name);
  writeFileSync(file, text);
  return JSON.parse(pythonJson(inventoryList(await loadInventory([file]))));
}

// Ansible keeps the mark as part of the first line: `[web]` then fails ("host range must be
// begin:end"), a first comment line becomes a host named "\uFEFF", and a first host line gets the
// mark glued to its name. fleet reads the file as if the mark were not there (docs/inventory.md).
describe("an INI inventory starting with a UTF-8 byte order mark", () => {
  test.each([
    ["a section header", "[web]\nw1 port=1\n[web:vars]\nrole=web\n"],
    ["a comment", "# written on Windows\n[web]\nw1\n"],
    ["a host line", "w0 ansible_port=2222\n[web]\nw1\n"],
  ])("first line %s: read as without the mark", async (_name, text) => {
    expect(await listOf("hosts.ini", byteOrderMark + text)).toEqual(await listOf("hosts.ini", text));
  });

  test("a file without extension (tried as YAML first) is read as INI too", async () => {
    const text = "[web]\nw1\n[db]\nd1\n";
    expect(await listOf("hosts", byteOrderMark + text)).toEqual(await listOf("hosts", text));
  });

  test("no host is named after the mark", async () => {
    const list = (await listOf("hosts.ini", `${byteOrderMark}w0\n# comment\n`)) as { ungrouped?: { hosts: string[] } };
    expect(list.ungrouped?.hosts).toEqual(["w0"]);
  });

  test("a problem on the first line is at column 1, not after the mark", async () => {
    const directory = mkdtempSync(join(tmpdir(), "fleet-inventory-"));
    const file = join(directory, "hosts.ini");
    writeFileSync(file, `${byteOrderMark}[web:oops]\nw1\n`);
    const error: unknown = await loadInventory([file]).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(InputFileError);
    if (!(error instanceof InputFileError)) return;
    expect(error.problems.map((problem) => problem.location)).toEqual([{ file, line: 1, column: 1 }]);
  });
});
