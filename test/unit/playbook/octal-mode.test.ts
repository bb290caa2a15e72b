import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { builtinModules } from "../../../src/modules/registry.js";
import { loadPlaybook } from "../../../src/playbook/load.js";

describe("module arguments written as YAML 1.1 octal numbers", () => {
  it("keep the digits as written: mode 0644 is 0644, not 420", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "fleet-octal-")), "p.yml");
    writeFileSync(file, "- hosts: all\n  tasks:\n    - file: { path: /x, mode: 0644 }\n    - file: { path: /y, mode: \"0600\" }\n    - sysctl: { name: vm.swappiness, value: 10 }\n");
    const playbook = await loadPlaybook(file, { registry: builtinModules() });
    expect(playbook.plays[0]?.tasks.map((task) => task.args)).toEqual([{ path: "/x", mode: "0644" }, { path: "/y", mode: "0600" }, { name: "vm.swappiness", value: 10 }]);
  });
});
