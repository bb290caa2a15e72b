import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import "../../../src/cli/commands/index.js";
import { runCli } from "../../../src/cli/program.js";
import type { FleetReport } from "../../../src/report/types.js";
import { captureIo } from "../../support/capture-io.js";

const dir = mkdtempSync(path.join(tmpdir(), "fleet-report-cli-"));
const inventory = path.join(dir, "hosts.yml");
writeFileSync(inventory, `all:\n  children:\n    web:\n      hosts:\n        l1: { ansible_connection: local, root: ${JSON.stringify(dir)}, n: "1" }\n        l2: { ansible_connection: local, root: ${JSON.stringify(dir)}, n: "2" }\n`);
const playbook = path.join(dir, "audit.yml");
writeFileSync(
  playbook,
  [
    "- hosts: all",
    "  controls:",
    "    - { id: T-01, title: the marker file exists, severity: high }",
    "    - { id: T-02, title: always fine, severity: low }",
    "  tasks:",
    "    - name: marker",
    "      control: T-01",
    '      copy: { dest: "{{ root }}/marker-{{ n }}", content: "ok\\n" }',
    "    - name: fine",
    "      control: T-02",
    "      assert: { that: [\"1 == 1\"] }",
    "",
  ].join("\n"),
);
const waivers = path.join(dir, "waivers.yml");
writeFileSync(waivers, "- control: T-01\n  hosts: l2\n  justification: l2 is being rebuilt this week\n  expires: 2099-01-01\n");

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { io, stdout, stderr } = captureIo();
  const code = await runCli(args, io);
  return { code, stdout: stdout(), stderr: stderr() };
}

describe("reports from the command line", () => {
  it("audit writes every format, applies waivers and prints drift against a baseline; report render/merge/diff work on the JSON", async () => {
    const before = path.join(dir, "before.json");
    const audit = await cli(["audit", playbook, "-i", inventory, "--waivers", waivers, "--report", before, "--report", path.join(dir, "a.html"), "--report", path.join(dir, "a.md"), "--report", path.join(dir, "a.xml")]);
    expect(audit.code).toBe(2); // T-01 fails on l1; on l2 it is waived
    const report = JSON.parse(readFileSync(before, "utf8")) as FleetReport;
    expect(report.hosts.map((host) => [host.name, host.controls[0]?.status])).toEqual([["l1", "fail"], ["l2", "waived"]]);
    expect(report.hosts[1]?.controls[0]?.waiver?.justification).toContain("l2 is being rebuilt");
    expect(audit.stdout).toMatch(/T-01 .*high/);
    expect(readFileSync(path.join(dir, "a.html"), "utf8")).toMatch(/^<!DOCTYPE html>/i);
    expect(readFileSync(path.join(dir, "a.md"), "utf8")).toContain("T-01");
    expect(readFileSync(path.join(dir, "a.xml"), "utf8")).toContain("<testsuites");

    expect((await cli(["run", playbook, "-i", inventory])).code).toBe(0);
    const after = path.join(dir, "after.json");
    const again = await cli(["audit", playbook, "-i", inventory, "--report", after, "--report", path.join(dir, "after.md"), "--baseline", before]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/Drift since .*before\.json/);
    expect(again.stdout).toMatch(/fixed/i);
    expect(readFileSync(path.join(dir, "after.md"), "utf8")).toMatch(/## Drift since/);

    const diff = await cli(["report", "diff", before, after]);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toMatch(/fixed/i);
    const render = await cli(["report", "render", after, "--format", "md"]);
    expect(render.stdout).toContain("T-02");
    const merged = path.join(dir, "merged.json");
    const overlap = await cli(["report", "merge", before, after, "-o", merged]);
    expect(overlap.code).toBe(5);
    expect(overlap.stderr).toContain("REPORT_MERGE_OVERLAP");
    expect(existsSync(merged)).toBe(false);
  });

  it("a malformed waivers file is exit 4 with file:line before any host is touched", async () => {
    const bad = path.join(dir, "bad-waivers.yml");
    writeFileSync(bad, "- control: T-01\n  justificaton: typo\n");
    const result = await cli(["audit", playbook, "-i", inventory, "--waivers", bad]);
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/bad-waivers\.yml:2:\d+/);
    expect(result.stderr).not.toContain("PLAY [");
  });
});
