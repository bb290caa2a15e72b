/**
 * up/down of a second, small testbed beside the main one (own subnet and state directory), so
 * that tearing it down does not disturb the other tests.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_SIZE } from "../../testbed/layout.js";
import { down, up } from "../../testbed/testbed.js";
import { testbed } from "../testbed.js";

const quiet = (): void => {};
const stateDir = mkdtempSync(path.join(tmpdir(), "fleet-testbed-lifecycle-"));
const SUBNET = 9;

/** Processes that are visibly the second testbed's: their command line names its state dir. */
function processesMentioning(text: string): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        return readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(text);
      } catch {
        return false;
      }
    })
    .map(Number);
}

function pidOf(file: string): number {
  return Number(readFileSync(file, "utf8").trim());
}

afterAll(async () => {
  await down(quiet, stateDir);
  rmSync(stateDir, { recursive: true, force: true });
});

describe("testbed lifecycle", () => {
  it("up on the running main testbed is a no-op", async () => {
    const before = testbed().hosts.map((host) => pidOf(host.sshdPidFile));
    const { started } = await up({ size: DEFAULT_SIZE }, quiet);
    expect(started).toEqual([]);
    expect(testbed().hosts.map((host) => pidOf(host.sshdPidFile))).toEqual(before);
  });

  it("restarts a host whose processes were killed (a crashed run does not block the next up)", async () => {
    const first = await up({ size: { hosts: 2, cluster: 0 }, stateDir, subnet: SUBNET }, quiet);
    expect(first.started.sort()).toEqual(["tb1", "tb2"]);
    const tb1 = first.layout.hosts[0];
    if (tb1 === undefined) throw new Error("no tb1");
    process.kill(pidOf(tb1.sshdPidFile), "SIGKILL");
    process.kill(pidOf(tb1.lxdPidFile), "SIGKILL");
    const second = await up({ size: { hosts: 2, cluster: 0 }, stateDir, subnet: SUBNET }, quiet);
    expect(second.started).toEqual(["tb1"]);
  });

  it("comes back up when its state directory was deleted under a running testbed", async () => {
    const before = processesMentioning(stateDir);
    expect(before.length).toBeGreaterThan(0);
    rmSync(stateDir, { recursive: true, force: true });
    const again = await up({ size: { hosts: 2, cluster: 0 }, stateDir, subnet: SUBNET }, quiet);
    expect(again.started.sort()).toEqual(["tb1", "tb2"]);
    expect(processesMentioning(stateDir).some((pid) => before.includes(pid))).toBe(false);
  });

  it("down leaves no process and no mount behind, even without pid files", async () => {
    expect(processesMentioning(stateDir).length).toBeGreaterThan(0);
    for (const host of ["tb1", "tb2"]) rmSync(path.join(stateDir, "hosts", host, "sshd.pid"), { force: true });
    await down(quiet, stateDir);
    expect(processesMentioning(stateDir)).toEqual([]);
    const mounts = execFileSync("cat", ["/proc/self/mountinfo"], { encoding: "utf8" });
    expect(mounts).not.toContain(stateDir);
    expect(() => readdirSync(stateDir)).toThrow();
  });
});
