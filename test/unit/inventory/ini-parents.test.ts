import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { InputFileError } from "../../../src/errors.js";
import { loadInventory } from "../../../src/inventory/load.js";
import { pythonJson } from "../../../src/inventory/python-json.js";
import { inventoryList } from "../../../src/inventory/render.js";
import type { Inventory } from "../../../src/inventory/types.js";

function writeIni(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "fleet-ini-parents-")), "hosts.ini");
  writeFileSync(file, text);
  return file;
}

const load = (text: string): Promise<Inventory> => loadInventory([writeIni(text)]);

async function problemsOf(text: string): Promise<{ file: string; problems: Array<{ code: string; message: string; hint: string | undefined; line: number | undefined; column: number | undefined }> }> {
  const file = writeIni(text);
  const error: unknown = await loadInventory([file]).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof InputFileError)) throw new Error(`expected an InputFileError, got ${String(error)}`);
  return {
    file,
    problems: error.problems.map((problem) => ({ code: problem.code, message: problem.message, hint: problem.hint, line: problem.location?.line, column: problem.location?.column })),
  };
}

// A group named under [PARENT:children] before its own section is linked to every such parent
// once it is declared. Expected lists from `ansible-inventory -i hosts.ini --list` (core 2.14).
const declaredLate: Array<{ name: string; text: string; list: unknown }> = [
  {
    name: "three parents, then the group",
    text: "[a:children]\nx\n[b:children]\nx\n[c:children]\nx\n[x]\nh1\n",
    list: { _meta: { hostvars: {} }, a: { children: ["x"] }, all: { children: ["ungrouped", "a", "b", "c"] }, b: { children: ["x"] }, c: { children: ["x"] }, x: { hosts: ["h1"] } },
  },
  {
    name: "a parent before and one after the group's [x:vars]",
    text: "[a:children]\nx\n[x:vars]\nv=1\n[b:children]\nx\n[x]\nh1\n",
    list: { _meta: { hostvars: { h1: { v: 1 } } }, a: { children: ["x"] }, all: { children: ["ungrouped", "a", "b"] }, b: { children: ["x"] }, x: { hosts: ["h1"] } },
  },
  {
    name: "two pending groups, one under the other",
    text: "[a:children]\nx\n[b:children]\nx\n[x:children]\ny\n[b:children]\ny\n[y]\nh1\n",
    list: { _meta: { hostvars: {} }, a: { children: ["x"] }, all: { children: ["ungrouped", "a", "b"] }, b: { children: ["x", "y"] }, x: { children: ["y"] }, y: { hosts: ["h1"] } },
  },
  {
    name: "the same parent twice",
    text: "[a:children]\nx\n[b:children]\nx\n[a:children]\nx\n[x]\nh1\n",
    list: { _meta: { hostvars: {} }, a: { children: ["x"] }, all: { children: ["ungrouped", "a", "b"] }, b: { children: ["x"] }, x: { hosts: ["h1"] } },
  },
];

describe("a group named as a child of several parents before it is declared", () => {
  test.each(declaredLate)("$name: the same --list as ansible-inventory", async ({ text, list }) => {
    const inventory = await load(text);
    expect(JSON.parse(pythonJson(inventoryList(inventory)))).toEqual(list);
  });

  test("keeps every parent: the host is in all of them and gets their vars", async () => {
    const inventory = await load("[a:children]\nx\n[b:children]\nx\n[c:children]\nx\n[x]\nh1\n[a:vars]\nfrom_a=1\nwho=a\n[c:vars]\nfrom_c=1\nwho=c\n[b:vars]\nfrom_b=1\nwho=b\n");
    for (const parent of ["a", "b", "c"]) expect(inventory.groups.get(parent)?.children).toEqual(["x"]);
    expect(inventory.hosts.get("h1")?.groups).toEqual(["all", "a", "b", "c", "x"]);
    expect(inventory.hosts.get("h1")?.vars).toEqual({ from_a: 1, from_b: 1, from_c: 1, who: "c" });
  });

  test("declared as [x:children] (not [x]) it is linked to every parent too", async () => {
    const inventory = await load("[a:children]\nx\n[b:children]\nx\n[x:children]\nleaf\n[leaf]\nh1\n");
    expect(inventory.groups.get("a")?.children).toEqual(["x"]);
    expect(inventory.groups.get("b")?.children).toEqual(["x"]);
    expect(inventory.hosts.get("h1")?.groups).toEqual(["all", "a", "b", "x", "leaf"]);
  });

  test("never declared: the problem names every [PARENT:children] that lists it, at the first", async () => {
    const { problems } = await problemsOf("[a:children]\nx\n[b:children]\n  x\n[c:children]\nx\n");
    expect(problems).toEqual([
      {
        code: "INVENTORY_UNDEFINED_GROUP",
        message: '[a:children], [b:children], [c:children] names group "x", which is never declared',
        hint: "declare the group with a [NAME] or [NAME:children] section (in this or an earlier -i source)",
        line: 2,
        column: 1,
      },
    ]);
  });
});

// Ansible (core 2.14) refuses a host entry ending in ':' that is not name:PORT ("Invalid host
// pattern 'web1:' supplied, ending in ':' is not allowed"); fleet reports it at its line and
// column, and goes on reading, so every such line is listed.
describe("a host entry with a stray ':'", () => {
  const strayColon = "invalid host \"ENTRY\": a host name may not end with ':'";
  const hint = "':' introduces a port (name:2222); if this is YAML, give the file a .yml extension";

  test.each([
    { entry: "web1:", line: "web1:", column: 1 },
    { entry: "web1:", line: "   web1:", column: 4 },
    { entry: "web1:", line: "web1: ansible_user=admin", column: 1 },
    { entry: "web1::", line: "web1::", column: 1 },
    { entry: "web1:22:", line: "web1:22:", column: 1 },
    { entry: "web[1:3]:", line: "web[1:3]:", column: 1 },
    // one problem per line: not a second one for what follows the entry
    { entry: "web[3:1]:", line: "web[3:1]:", column: 1 },
    { entry: "web1:", line: "web1: stray", column: 1 },
  ])("`$line` is an error at column $column, and makes no host", async ({ entry, line, column }) => {
    const { problems } = await problemsOf(`[web]\nweb0\n${line}\nweb9\n`);
    expect(problems).toEqual([{ code: "INVENTORY_INI_SYNTAX", message: strayColon.replace("ENTRY", entry), hint, line: 3, column }]);
  });

  test("every such line is reported, in order", async () => {
    const { problems } = await problemsOf("web1:\n[web]\nweb2:\nweb3:22\n[db]\ndb1:\n");
    expect(problems.map((problem) => [problem.line, problem.message])).toEqual([
      [1, strayColon.replace("ENTRY", "web1:")],
      [3, strayColon.replace("ENTRY", "web2:")],
      [6, strayColon.replace("ENTRY", "db1:")],
    ]);
  });

  test.each([
    { line: "web1:22", hosts: ["web1"], vars: { web1: { ansible_port: 22 } } },
    { line: "web[1:2]:2222", hosts: ["web1", "web2"], vars: { web1: { ansible_port: 2222 }, web2: { ansible_port: 2222 } } },
    // not a port, and not ending in ':': Ansible keeps the whole text as the host name
    { line: "web1:abc", hosts: ["web1:abc"], vars: {} },
  ])("`$line` is read as Ansible reads it", async ({ line, hosts, vars }) => {
    const inventory = await load(`[web]\n${line}\n`);
    expect(inventory.groups.get("web")?.hosts).toEqual(hosts);
    expect(Object.fromEntries([...inventory.hosts.values()].map((host) => [host.name, host.vars]))).toEqual({ ...Object.fromEntries(hosts.map((name) => [name, {}])), ...vars });
  });
});
