import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, test } from "vitest";
import { loadInventory } from "../../../src/inventory/load.js";
import type { Inventory, Vars } from "../../../src/inventory/types.js";

/**
 * Sibling groups merge in (depth, ansible_group_priority, name) order, later winning. The
 * fixtures declare groups in alphabetical order, where declaration order and name order agree;
 * these declare them in reverse, so only the name can decide. Expected values from
 * `ansible-inventory -i SOURCE --host HOST` (core 2.14).
 */

/** Writes the files (path → text) in a fresh directory and loads the first one. */
async function loadFiles(files: Record<string, string>): Promise<Inventory> {
  const directory = mkdtempSync(join(tmpdir(), "fleet-precedence-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(directory, path)), { recursive: true });
    writeFileSync(join(directory, path), text);
  }
  const [source] = Object.keys(files);
  return loadInventory([join(directory, source ?? "")]);
}

const reversedIni = (extra: Record<string, string> = {}): string =>
  ["zulu", "mike", "alpha"]
    .map((group) => `[${group}]\nh1\n[${group}:vars]\nwho=${group}\n${extra[group] ?? ""}`)
    .join("");

const cases: Array<{ name: string; files: Record<string, string>; host?: string; vars: Vars; groups: string[] }> = [
  {
    name: "INI, same depth, declared zulu, mike, alpha: the last name wins",
    files: { "hosts.ini": reversedIni() },
    vars: { who: "zulu" },
    groups: ["all", "alpha", "mike", "zulu"],
  },
  {
    name: "YAML, same depth, declared in reverse",
    files: { "hosts.yml": "all:\n  children:\n    zulu: {vars: {who: zulu}, hosts: {h1: }}\n    mike: {vars: {who: mike}, hosts: {h1: }}\n    alpha: {vars: {who: alpha}, hosts: {h1: }}\n" },
    vars: { who: "zulu" },
    groups: ["all", "alpha", "mike", "zulu"],
  },
  {
    name: "a higher ansible_group_priority wins over the name",
    files: { "hosts.ini": reversedIni({ alpha: "ansible_group_priority=2\n" }) },
    vars: { who: "alpha" },
    groups: ["all", "mike", "zulu", "alpha"],
  },
  {
    name: "equal priorities above the default: the name decides among them",
    files: { "hosts.ini": reversedIni({ zulu: "ansible_group_priority=5\n", alpha: "ansible_group_priority=5\n" }) },
    vars: { who: "zulu" },
    groups: ["all", "mike", "alpha", "zulu"],
  },
  {
    name: "a negative priority goes first",
    files: { "hosts.ini": reversedIni({ zulu: "ansible_group_priority=-1\n" }) },
    vars: { who: "mike" },
    groups: ["all", "zulu", "alpha", "mike"],
  },
  {
    name: "group_vars files merge in the same order; ansible_group_priority in one is an ordinary variable",
    files: {
      "hosts.yml": "all:\n  children:\n    zulu: {hosts: {h1: }}\n    beta: {hosts: {h1: }}\n    alpha: {hosts: {h1: }}\n",
      "group_vars/zulu.yml": "who: zulu\n",
      "group_vars/beta.yml": "who: beta\n",
      "group_vars/alpha.yml": "who: alpha\nansible_group_priority: 10\n",
    },
    vars: { ansible_group_priority: 10, who: "zulu" },
    groups: ["all", "alpha", "beta", "zulu"],
  },
  {
    name: "depth comes before priority and name",
    files: { "hosts.yml": "all:\n  children:\n    zz_top:\n      vars: {who: zz_top, ansible_group_priority: 100}\n      hosts: {h1: }\n    mid:\n      children:\n        aa_deep:\n          vars: {who: aa_deep}\n          hosts: {h1: }\n" },
    vars: { who: "aa_deep" },
    groups: ["all", "mid", "zz_top", "aa_deep"],
  },
  {
    name: "a group's depth is its longest chain from all, not the chain through its first parent",
    files: { "hosts.ini": "[a:children]\nx\n[c:children]\nb\n[b:children]\nx\n[d:children]\nzz\n[x]\nh1\n[zz]\nh1\n[x:vars]\nwho=x\n[zz:vars]\nwho=zz\n" },
    vars: { who: "x" },
    groups: ["all", "a", "c", "d", "b", "zz", "x"],
  },
];

const mixedCase = "all:\n  vars: {who: all}\n  children:\n    zulu:\n      vars: {x: zulu, y: zulu}\n      hosts: {h1: , h2: }\n    alpha:\n      vars: {x: alpha, y: alpha, ansible_group_priority: 3}\n      hosts: {h2: , h3: }\n    Zed:\n      vars: {x: Zed}\n      hosts: {h1: , h3: }\n";

describe("sibling groups merge by depth, then priority, then name — not by declaration order", () => {
  test.each(cases)("$name", async ({ files, vars, groups }) => {
    const host = (await loadFiles(files)).hosts.get("h1");
    expect(host?.vars).toEqual(vars);
    expect(host?.groups).toEqual(groups);
  });

  test.each([
    // "Zed" sorts before "zulu" (upper case first, as Python compares)
    { host: "h1", vars: { who: "all", x: "zulu", y: "zulu" }, groups: ["all", "Zed", "zulu"] },
    { host: "h2", vars: { who: "all", x: "alpha", y: "alpha" }, groups: ["all", "zulu", "alpha"] },
    { host: "h3", vars: { who: "all", x: "alpha", y: "alpha" }, groups: ["all", "Zed", "alpha"] },
  ])("hosts in different pairs of groups: $host", async ({ host, vars, groups }) => {
    const inventory = await loadFiles({ "hosts.yml": mixedCase });
    expect(inventory.hosts.get(host)?.vars).toEqual(vars);
    expect(inventory.hosts.get(host)?.groups).toEqual(groups);
  });

  // names compare by code point, as Python does, not by UTF-16 unit (JavaScript's <): "😀" (U+1F600,
  // the surrogates D83D DE00) sorts after "ｚ" (U+FF5A), so ansible-inventory gives h1 who=emoji.
  test.each([
    ["ｚ", "😀"],
    ["😀", "ｚ"],
  ])("non-BMP group names sort by code point as in Ansible (declared %s, %s)", async (first, second) => {
    const group = (name: string): string => `    "${name}":\n      vars: {who: ${name === "😀" ? "emoji" : "fullwidth"}}\n      hosts: {h1: }\n`;
    const inventory = await loadFiles({ "hosts.yml": `all:\n  children:\n${group(first)}${group(second)}` });
    expect(inventory.hosts.get("h1")?.vars).toEqual({ who: "emoji" });
    expect(inventory.hosts.get("h1")?.groups).toEqual(["all", "ｚ", "😀"]);
  });
});
