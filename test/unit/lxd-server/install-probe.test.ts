import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lxdInstall } from "../../../src/facts/lxd/install.js";

/**
 * The probe run on this machine against processes named lxd (a copy of /bin/sh), with a pgrep
 * that lists them in a chosen order: what pid wrap-around does to a daemon and the commands it
 * is starting (their copies of it between fork and exec have its comm and command line).
 */
describe("lxdInstall probe: which lxd process is the daemon", () => {
  let dir = "";
  let daemon: ChildProcess | undefined;
  let daemonPid = 0;
  let childPid = 0;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "fleet-lxd-probe-"));
    const lxd = path.join(dir, "lxd");
    copyFileSync("/bin/sh", lxd);
    spawnSync("chmod", ["755", lxd]);
    const childPidFile = path.join(dir, "child.pid");
    // `-c` makes both look like a daemon started with flags; `; :` keeps the child a shell.
    daemon = spawn(lxd, ["-c", `${lxd} -c 'sleep 60; :' & echo $! > ${childPidFile}; wait`], { stdio: "ignore" });
    daemonPid = daemon.pid ?? 0;
    for (let tries = 0; tries < 100 && childPid === 0; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      childPid = Number(readFileSafe(childPidFile).trim()) || 0;
    }
    // The daemon's copy listed first, as pgrep does once pids have wrapped.
    writeFileSync(path.join(dir, "pgrep"), `#!/bin/sh\necho ${childPid}\necho ${daemonPid}\n`, { mode: 0o755 });
  });

  afterAll(() => {
    if (childPid > 0) process.kill(childPid, "SIGKILL");
    daemon?.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });

  const probe = (pgrepOutput?: string) => {
    if (pgrepOutput !== undefined) writeFileSync(path.join(dir, "pgrep"), `#!/bin/sh\nprintf '${pgrepOutput}'\n`, { mode: 0o755 });
    const run = spawnSync("/bin/sh", ["-c", lxdInstall.probe("")], { encoding: "utf8", env: { ...process.env, PATH: `${dir}:${process.env.PATH ?? ""}`, LXD_DIR: dir } });
    return lxdInstall.parse({ stdout: run.stdout, stderr: run.stderr, exitCode: run.status ?? -1 }, "");
  };

  it("takes the daemon, not the command it is starting that pgrep lists first", () => {
    expect(childPid).toBeGreaterThan(0);
    const found = probe();
    expect(found).toMatchObject({ kind: "deb", daemon: { pid: daemonPid, source: "pgrep -x lxd" } });
    if (found.kind === "none") return;
    expect(found.daemon?.argv.slice(0, 2)).toEqual([path.join(dir, "lxd"), "-c"]);
  });

  it("of two daemon-like processes, takes the older one: a passing lxd command is younger than the daemon", async () => {
    const lxd = path.join(dir, "lxd");
    // not the daemon's child, and listed first
    const younger = spawn(lxd, ["-c", "sleep 60; :"], { stdio: "ignore" });
    try {
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(probe(`${younger.pid ?? 0}\\n${daemonPid}\\n`)).toMatchObject({ daemon: { pid: daemonPid } });
      expect(probe(`${daemonPid}\\n${younger.pid ?? 0}\\n`)).toMatchObject({ daemon: { pid: daemonPid } });
    } finally {
      younger.kill("SIGKILL");
    }
  });

  it("with only the daemon's copy running, says why it is not the daemon", () => {
    const found = probe(`${childPid}\\n`);
    expect(found).toMatchObject({ daemon: null, daemonNotFound: `lxd processes seen: ${childPid} (started by an lxd process: a command the daemon is starting)` });
  });
});

function readFileSafe(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}
