import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import "../../../src/cli/commands/index.js";
import { runCli } from "../../../src/cli/program.js";
import { captureIo } from "../../support/capture-io.js";

function setup(playbook: string): { dir: string; inventory: string; playbook: string } {
  const dir = mkdtempSync(path.join(tmpdir(), "fleet-run-cli-"));
  const inventory = path.join(dir, "hosts.yml");
  writeFileSync(inventory, `all:\n  hosts:\n    l1: { ansible_connection: local, root: ${JSON.stringify(dir)} }\n`);
  const file = path.join(dir, "play.yml");
  writeFileSync(file, playbook);
  return { dir, inventory, playbook: file };
}

describe("fleet run on local hosts", () => {
  it("an undefined variable is exit 4 with file:line:column before any host is touched", async () => {
    const { inventory, playbook, dir } = setup("- hosts: all\n  tasks:\n    - copy: { dest: \"{{ root }}/x\", content: \"{{ missing_var }}\" }\n");
    const { io, stderr, stdout } = captureIo();
    expect(await runCli(["run", playbook, "-i", inventory], io)).toBe(4);
    expect(stderr()).toMatch(/play\.yml:3:\d+: .*missing_var/);
    expect(stdout()).not.toContain("PLAY RECAP");
    expect(() => writeFileSync(path.join(dir, "probe"), "")).not.toThrow();
  });

  it("an unknown module names the closest one (exit 4)", async () => {
    const { inventory, playbook } = setup("- hosts: all\n  tasks:\n    - sysctrl: { name: a, value: b }\n");
    const { io, stderr } = captureIo();
    expect(await runCli(["run", playbook, "-i", inventory], io)).toBe(4);
    expect(stderr()).toMatch(/play\.yml:3:7: .*sysctrl.*\n.*sysctl/);
  });

  it("runs, writes the report, and a second run changes nothing", async () => {
    const { inventory, playbook, dir } = setup("- hosts: all\n  tasks:\n    - name: a file\n      copy: { dest: \"{{ root }}/x\", content: \"hello\\n\", mode: \"0600\" }\n");
    const first = captureIo();
    expect(await runCli(["run", playbook, "-i", inventory, "--report", path.join(dir, "r.json"), "--diff"], first.io)).toBe(0);
    expect(first.stdout()).toContain("l1: changed: a file");
    expect(first.stdout()).toContain("+ hello");
    const second = captureIo();
    expect(await runCli(["run", playbook, "-i", inventory], second.io)).toBe(0);
    expect(second.stdout()).toContain("1 host: 0 changed, 0 failed, 0 unreachable");
  });

  it("refuses a report format it does not know (exit 5)", async () => {
    const { inventory, playbook } = setup("- hosts: all\n  tasks: []\n");
    const { io, stderr } = captureIo();
    expect(await runCli(["run", playbook, "-i", inventory, "--report", "out.pdf"], io)).toBe(5);
    expect(stderr()).toContain('unknown report format ".pdf"');
  });
});
