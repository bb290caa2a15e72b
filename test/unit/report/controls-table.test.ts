import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { builtinModules } from "../../../src/modules/registry.js";
import { loadPlaybook } from "../../../src/playbook/load.js";
import { controlsTable, CONTROLS_TABLE_BEGIN, CONTROLS_TABLE_END } from "../../../src/report/controls-table.js";

describe("README controls table", () => {
  it("is the table generated from playbooks/baseline.yml (run `npm run docs:controls` after changing the playbook)", async () => {
    const playbook = await loadPlaybook("playbooks/baseline.yml", { registry: builtinModules() });
    const readme = readFileSync("README.md", "utf8");
    const shown = readme.slice(readme.indexOf(CONTROLS_TABLE_BEGIN) + CONTROLS_TABLE_BEGIN.length, readme.indexOf(CONTROLS_TABLE_END)).trim();
    expect(shown).toBe(controlsTable(playbook));
  });

  it("lists every control id of the catalogue in shared/controls.md", async () => {
    const playbook = await loadPlaybook("playbooks/baseline.yml", { registry: builtinModules() });
    const table = controlsTable(playbook);
    const expected = ["GEN-01", "GEN-02", "RES-01", "RES-02", ...Array.from({ length: 10 }, (_, i) => `ACC-${String(i + 1).padStart(2, "0")}`), "NET-01", "NET-02", "NET-03", "INS-01", "INS-02", "INS-03", "INS-04", "PRF-01", "DEV-01", "DEV-02", "DEV-03", "DEV-04", "STO-01", "LOG-01", "LOG-02", "LOG-03", "MU-01", "MU-02", "MU-03", "HOST-01", "HOST-02", "HOST-03"];
    for (const id of expected) expect(table).toContain(`| LXD-${id} |`);
    expect(table.split("\n")).toHaveLength(expected.length + 2);
  });
});
