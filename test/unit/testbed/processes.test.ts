import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testbedProcesses } from "../../testbed/processes.js";

// A process whose command line names a file in tb10's directory, as sshd's `-f .../tb10/sshd_config` does.
const base = `/tmp/fleet-unit-${process.pid}/hosts`;
let child: ChildProcess;

beforeAll(async () => {
  child = spawn("/bin/sh", ["-c", "sleep 30; :", `${base}/tb10/sshd_config`], { stdio: "ignore" });
  await once(child, "spawn"); // until then /proc shows the forked test runner's command line
});

afterAll(() => {
  child.kill("SIGKILL");
});

describe("finding a testbed host's processes", () => {
  it("finds a process by a file of its directory named on its command line", () => {
    expect(testbedProcesses(`${base}/tb10`, [])).toContain(child.pid);
    expect(testbedProcesses(`${base}/tb10/`, [])).toContain(child.pid);
  });

  it("does not take tb10's processes for tb1's", () => {
    expect(testbedProcesses(`${base}/tb1`, [])).not.toContain(child.pid);
  });
});
