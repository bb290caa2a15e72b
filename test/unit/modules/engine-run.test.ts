import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runPlaybook } from "../../../src/engine/run-playbook.js";
import type { HostResult } from "../../../src/engine/results.js";
import { loadInventory } from "../../../src/inventory/load.js";
import type { InventoryHost } from "../../../src/inventory/types.js";
import { copyModule } from "../../../src/modules/copy.js";
import { fileModule } from "../../../src/modules/file.js";
import { lineinfileModule } from "../../../src/modules/lineinfile.js";
import { templateModule } from "../../../src/modules/template.js";
import { tmpfilesModule } from "../../../src/modules/tmpfiles.js";
import type { Module } from "../../../src/modules/types.js";
import { LocalTransport } from "../../../src/transport/local.js";
import { localFleet, playbookOf, renderForTest, type LocalFleet, type TaskSpec } from "../engine/playbook-harness.js";
import { modeOwnerGroup } from "./helpers.js";

/**
 * The file modules through the real engine on local hosts: one gather, plans chained through
 * predicted effects (a copy into a directory an earlier task creates), one apply script, and the
 * verification re-plan that proves idempotence; then a second run finds nothing to do.
 */
const registry = new Map<string, Module<unknown>>([fileModule, copyModule, templateModule, lineinfileModule, tmpfilesModule].map((module) => [module.name, module as unknown as Module<unknown>]));

/** TaskSpec names the harness's own modules; these tasks name the file modules. */
const spec = (name: string, module: string, args: Record<string, unknown>): TaskSpec => ({ name, module: module as TaskSpec["module"], args });

const tasks = (root: string): TaskSpec[] => [
  spec("dir", "file", { path: `${root}/etc/app`, state: "directory", mode: "0750" }),
  spec("copy", "copy", { dest: `${root}/etc/app/app.conf`, content: "a=1\n", mode: "0640", backup: true }),
  spec("line", "lineinfile", { path: `${root}/etc/app/limits.conf`, regexp: "^#?nofile ", line: "nofile 1024", create: true }),
  spec("template", "template", { src: "motd.hbs", dest: `${root}/etc/app/motd` }),
  spec("tmpfiles", "tmpfiles", { path: `${root}/etc/app/motd`, mode: "0600", conf: `${root}/etc/app/fleet.conf` }),
];

async function run(fleet: LocalFleet, root: string, check: boolean): Promise<HostResult> {
  const inventory = await loadInventory([fleet.inventoryFile]);
  const [host] = await runPlaybook(playbookOf(tasks(root)), inventory, new LocalTransport({ outputLimit: 1024 * 1024, becomePassword: undefined }), {
    check,
    forks: 1,
    handshakes: 1,
    limit: undefined,
    extraVars: {},
    registry,
    selected: () => true,
    hostVars: (inventoryHost: InventoryHost) => inventoryHost.vars,
    render: (value, scope) => renderForTest(value, scope),
    renderTemplateFile: (file) => `welcome (${file})\n`,
    interrupted: () => false,
  });
  if (host === undefined) throw new Error("no host result");
  return host;
}

const outcome = (host: HostResult): string[] => host.tasks.map((result) => `${result.name}:${result.status}${result.status === "failed" ? ` ${result.message}` : ""}`);

describe("file modules through the engine on a local host", () => {
  let fleet: LocalFleet | undefined;
  afterEach(() => {
    if (fleet !== undefined) rmSync(path.dirname(fleet.inventoryFile), { recursive: true, force: true });
  });

  it("check mode chains predictions, a run applies and verifies, a second run is all ok", async () => {
    fleet = localFleet(1);
    const root = fleet.roots["h1"] ?? "";

    const checked = await run(fleet, root, true);
    expect(outcome(checked)).toEqual(["dir:changed", "copy:changed", "line:changed", "template:changed", "tmpfiles:changed"]);
    expect(checked.tasks[4]?.message).toBe(`add "z ${root}/etc/app/motd 0600 - - -" in ${root}/etc/app/fleet.conf; ${root}/etc/app/motd: mode 0644 → 0600`);

    const applied = await run(fleet, root, false);
    expect(outcome(applied)).toEqual(["dir:changed", "copy:changed", "line:changed", "template:changed", "tmpfiles:changed"]);
    expect(readFileSync(`${root}/etc/app/app.conf`, "utf8")).toBe("a=1\n");
    expect(readFileSync(`${root}/etc/app/limits.conf`, "utf8")).toBe("nofile 1024\n");
    expect(readFileSync(`${root}/etc/app/motd`, "utf8")).toBe("welcome (motd.hbs)\n");
    expect(readFileSync(`${root}/etc/app/fleet.conf`, "utf8")).toMatch(new RegExp(`\\nz ${root}/etc/app/motd 0600 - - -\\n$`));
    expect(modeOwnerGroup(`${root}/etc/app`)).toBe("750 root root");
    expect(modeOwnerGroup(`${root}/etc/app/app.conf`)).toBe("640 root root");
    expect(modeOwnerGroup(`${root}/etc/app/motd`)).toBe("600 root root");

    const again = await run(fleet, root, false);
    expect(outcome(again)).toEqual(["dir:ok", "copy:ok", "line:ok", "template:ok", "tmpfiles:ok"]);
  });
});
