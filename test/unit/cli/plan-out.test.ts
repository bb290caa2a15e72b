import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import "../../../src/cli/commands/index.js";
import { runCli } from "../../../src/cli/program.js";
import { captureIo } from "../../support/capture-io.js";

describe("--plan-out", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "fleet-plan-out-"));
  const inventory = path.join(dir, "hosts.yml");
  writeFileSync(inventory, "all:\n  hosts:\n    l1: { ansible_connection: local }\n");
  const playbook = path.join(dir, "play.yml");
  writeFileSync(playbook, `- hosts: all\n  tasks:\n    - copy: { dest: "${dir}/x", content: "y\\n" }\n`);

  it("is refused on a run that changes things (exit 5), before any host is touched", async () => {
    const { io, stderr } = captureIo();
    expect(await runCli(["run", playbook, "-i", inventory, "--plan-out", path.join(dir, "p.json")], io)).toBe(5);
    expect(stderr()).toMatch(/--plan-out needs check mode.*\[PLAN_NEEDS_CHECK\]/);
    expect(existsSync(path.join(dir, "x"))).toBe(false);
  });

  it("writes a plan from run --check as from audit, and an empty plan applies as nothing to do", async () => {
    const file = path.join(dir, "p.json");
    const made = captureIo();
    expect(await runCli(["run", playbook, "-i", inventory, "--check", "--plan-out", file], made.io)).toBe(0);
    expect(made.stderr()).toContain(`plan: 1 change on 1 host written to ${file}`);
    writeFileSync(path.join(dir, "x"), "y\n");
    const again = captureIo();
    expect(await runCli(["audit", playbook, "-i", inventory, "--plan-out", file], again.io)).toBe(0);
    const applied = captureIo();
    expect(await runCli(["apply", file, "-i", inventory], applied.io)).toBe(0);
    expect(applied.stdout()).toBe("nothing to apply: the plan has no changes\n");
  });
});
