// deploy/compliance-gate.mjs: the verdict on the merged report that both recipes end with
// (`fleet report merge` exits 0 whenever it merged; it does not judge compliance).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO } from "./support/sandbox.js";

const dir = mkdtempSync(path.join(tmpdir(), "fleet-gate-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const compliant = { hosts: 6, unreachable: 0, changed: 0, failed: 0, controls: { pass: 30, fail: 0, error: 0, waived: 2, not_applicable: 4 }, score: 100 };

function gate(content: unknown): { status: number | null; stdout: string; stderr: string } {
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
  const result = spawnSync(process.execPath, [path.join(REPO, "deploy/compliance-gate.mjs"), file], { encoding: "utf8" });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const report = (summary: unknown, extra: Record<string, unknown> = {}): unknown => ({ schema: "fleet-report/v1", mode: "audit", summary, hosts: [], controls: [], ...extra });

describe("deploy/compliance-gate.mjs", () => {
  it("exits 0 on a compliant merged report (waived and not applicable do not count against it)", () => {
    const run = gate(report(compliant));
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/compliant \(6 host\(s\), 30 passed, 2 waived, 4 not applicable, score 100\)/);
  });

  it.each([
    ["a failed control", { controls: { ...compliant.controls, fail: 1 } }, /1 control result\(s\) failed/],
    ["a control in error", { controls: { ...compliant.controls, error: 2 } }, /2 control result\(s\) could not be judged/],
    ["an unreachable host", { unreachable: 1 }, /1 host\(s\) unreachable/],
  ])("exits 2 on %s", (_, change, message) => {
    const run = gate(report({ ...compliant, ...change }));
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/NOT compliant/);
    expect(run.stderr).toMatch(message);
  });

  it("exits 2 on an interrupted run, whose results are incomplete", () => {
    const run = gate(report(compliant, { interrupted: true }));
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/interrupted/);
  });

  it("passes an empty fleet with a warning", () => {
    const run = gate(report({ ...compliant, hosts: 0, controls: { pass: 0, fail: 0, error: 0, waived: 0, not_applicable: 0 } }));
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/no host at all/);
  });

  it.each([
    ["not JSON (an HTML report)", "<html></html>"],
    ["another schema", { schema: "fleet-report/v2", summary: compliant }],
    ["no summary", { schema: "fleet-report/v1" }],
    ["a count that is not a count", report({ ...compliant, unreachable: "0" })],
    ["no controls counts", report({ hosts: 1, unreachable: 0 })],
  ])("exits 4 on %s", (_, content) => {
    expect(gate(content).status).toBe(4);
  });

  it("exits 4 on a missing file and on a wrong call", () => {
    expect(spawnSync(process.execPath, [path.join(REPO, "deploy/compliance-gate.mjs"), path.join(dir, "missing.json")]).status).toBe(4);
    expect(spawnSync(process.execPath, [path.join(REPO, "deploy/compliance-gate.mjs")]).status).toBe(4);
  });
});
