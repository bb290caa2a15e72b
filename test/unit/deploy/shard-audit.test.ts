// deploy/shard-audit.sh, the exit-code wrapper both recipes run each shard through, run with real
// shells against a stub fleet that exits with each code.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { makeSandbox, removeSandboxes, runAndSignal, runIn } from "./support/sandbox.js";

afterEach(removeSandboxes);

// /bin/sh is dash on Debian and Ubuntu (the node:20-slim image, GitHub's ubuntu runners); bash is
// what the wrapper meets where sh is bash (in POSIX mode when called as sh).
const SHELLS = [["/bin/sh"], ["/bin/bash", "--posix"]].filter(([shell]) => shell !== undefined && existsSync(shell));

const audit = (report: string, ...more: string[]): string[] => ["node", "dist/cli/main.js", "audit", "playbooks/baseline.yml", "-i", "inventory.yml", "--shard", "2/4", ...more, "--report", report];

describe.each(SHELLS)("deploy/shard-audit.sh under %s", (...shell) => {
  const wrapper = [...shell, "deploy/shard-audit.sh"];

  it.each([
    [0, 0],
    [2, 0],
    [3, 0],
    [1, 1],
    [4, 4],
    [5, 5],
    [99, 99],
    [42, 42],
  ])("fleet exit %i with its report written -> wrapper exit %i", (fleetCode, expected) => {
    const sandbox = makeSandbox("stub");
    const run = runIn(sandbox, [...wrapper, ...audit("reports/shard-2.json")], sandbox.env({ STUB_EXIT: String(fleetCode) }));
    expect(run.status, run.stderr).toBe(expected);
    expect(sandbox.calls()).toHaveLength(1);
    if (expected === 0) expect(run.stderr).toMatch(/the shard is done/);
    else expect(run.stderr).toMatch(new RegExp(`fleet exited ${fleetCode} .*the shard failed`));
  });

  it.each([0, 2, 3])("fleet exit %i without a report -> 1 (the job engine retries)", (fleetCode) => {
    const sandbox = makeSandbox("stub");
    const run = runIn(sandbox, [...wrapper, ...audit("reports/shard-2.json")], sandbox.env({ STUB_EXIT: String(fleetCode), STUB_REPORT: "none" }));
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/wrote no report at reports\/shard-2\.json/);
  });

  it("a report that is not a fleet-report/v1 JSON report -> 1", () => {
    const sandbox = makeSandbox("stub");
    const run = runIn(sandbox, [...wrapper, ...audit("reports/shard-2.json")], sandbox.env({ STUB_EXIT: "2", STUB_REPORT: "garbage" }));
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/not a fleet-report\/v1 JSON report/);
  });

  it("removes a report left by an earlier attempt before running, so it is never taken for this one", () => {
    const sandbox = makeSandbox("stub");
    mkdirSync(path.join(sandbox.dir, "reports"));
    const stale = path.join(sandbox.dir, "reports/shard-2.json");
    writeFileSync(stale, '{ "schema": "fleet-report/v1" }\n');
    const run = runIn(sandbox, [...wrapper, ...audit("reports/shard-2.json")], sandbox.env({ STUB_EXIT: "2", STUB_REPORT: "none" }));
    expect(run.status).toBe(1);
    expect(existsSync(stale)).toBe(false);
  });

  it("creates the report's directory and accepts --report=FILE.json; other report formats are not what it checks", () => {
    const sandbox = makeSandbox("stub");
    const argv = ["node", "dist/cli/main.js", "audit", "playbooks/baseline.yml", "--report", "out/deep/shard-1.html", "--report=out/deep/shard-1.json"];
    const run = runIn(sandbox, [...wrapper, ...argv], sandbox.env({ STUB_EXIT: "3", STUB_REPORT: "none" }));
    // the stub writes only the value of the first --report: nothing at the .json path
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/no report at out\/deep\/shard-1\.json/);
    expect(existsSync(path.join(sandbox.dir, "out/deep"))).toBe(true);
  });

  it("refuses (exit 5, fleet not run) a command without --report FILE.json, or no command", () => {
    const sandbox = makeSandbox("stub");
    for (const argv of [["node", "dist/cli/main.js", "audit", "x.yml", "--report", "r.md"], ["node", "dist/cli/main.js", "audit", "x.yml", "--report"], []]) {
      const run = runIn(sandbox, [...wrapper, ...argv], sandbox.env());
      expect(run.status, argv.join(" ")).toBe(5);
      expect(run.stderr).toMatch(/shard-audit: /);
    }
    expect(sandbox.calls()).toEqual([]);
  });

  it("passes 127 through when the command does not exist", () => {
    const sandbox = makeSandbox("stub");
    const run = runIn(sandbox, [...wrapper, "no-such-fleet-command", "audit", "--report", "r.json"], sandbox.env());
    expect(run.status).toBe(127);
    expect(run.stderr).toMatch(/not found/);
  });

  it("passes the arguments through unchanged, and unsets empty secret variables only", () => {
    const sandbox = makeSandbox("stub");
    const argv = audit("reports/shard-2.json", "-e", "note=two words", "-e", "glob=*");
    runIn(sandbox, [...wrapper, ...argv], sandbox.env({ FLEET_BECOME_PASSWORD: "", FLEET_SSH_PASSPHRASE: "" }));
    runIn(sandbox, [...wrapper, ...argv], sandbox.env({ FLEET_BECOME_PASSWORD: "sudo-secret", FLEET_SSH_PASSPHRASE: "key-secret" }));
    const [empty, set] = sandbox.calls();
    expect(empty?.argv).toEqual(argv.slice(2));
    expect(empty).toMatchObject({ becomePassword: null, sshPassphrase: null });
    expect(set).toMatchObject({ becomePassword: "sudo-secret", sshPassphrase: "key-secret" });
  });

  it.each(["SIGTERM", "SIGINT", "SIGHUP"] as const)("passes %s on to fleet (as SIGTERM) and ends with fleet's 99", async (signal) => {
    const sandbox = makeSandbox("stub");
    const ready = path.join(sandbox.dir, "ready");
    const run = await runAndSignal(sandbox, [...wrapper, ...audit("reports/shard-2.json")], sandbox.env({ STUB_HANG: "1", STUB_READY: ready }), ready, signal);
    expect(run.status, run.stderr).toBe(99);
    expect(run.stderr).toMatch(new RegExp(`got ${signal}, sent SIGTERM to fleet`));
    expect(run.stderr).toMatch(/fleet exited 99 \(interrupted\)/);
    // what the interrupted fleet wrote is left for inspection
    expect(readFileSync(path.join(sandbox.dir, "reports/shard-2.json"), "utf8")).toMatch(/"interrupted": true/);
  });
});
