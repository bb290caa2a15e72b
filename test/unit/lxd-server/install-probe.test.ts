import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lxdInstall } from "../../../src/facts/lxd/install.js";

const NEXT_PID = "/proc/sys/kernel/ns_last_pid";
const isRoot = process.getuid?.() === 0;

/**
 * The probe run on this machine against processes named lxd (a copy of /bin/sh; `-c` as the
 * first argument makes them look like a daemon started with flags). This machine runs no LXD
 * daemon in its own mount namespace (the testbed's are in their hosts' namespaces), as in CI.
 */
describe("lxdInstall probe: which lxd process is the daemon", () => {
  let dir = "";
  let lxd = "";
  const started: ChildProcess[] = [];
  let daemonPid = 0;
  let copyPid = 0;

  const start = (args: string[]): ChildProcess => {
    const child = spawn(lxd, args, { stdio: "ignore" });
    started.push(child);
    return child;
  };
  const waitForFile = async (file: string): Promise<number> => {
    for (let tries = 0; tries < 100; tries++) {
      const text = readFileSafe(file).trim();
      if (text !== "") return Number(text);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return 0;
  };
  const probe = () => {
    const run = spawnSync("/bin/sh", ["-c", lxdInstall.probe("")], { encoding: "utf8", env: { ...process.env, PATH: `${dir}:${process.env.PATH ?? ""}`, LXD_DIR: dir } });
    return lxdInstall.parse({ stdout: run.stdout, stderr: run.stderr, exitCode: run.status ?? -1 }, "");
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "fleet-lxd-probe-"));
    lxd = path.join(dir, "lxd");
    copyFileSync("/bin/sh", lxd);
    spawnSync("chmod", ["755", lxd]);
    // the daemon, and a command it starts that is still its copy (`; :` keeps the child a shell)
    const copyPidFile = path.join(dir, "copy.pid");
    daemonPid = start(["-c", `${lxd} -c 'sleep 60; :' & echo $! > ${copyPidFile}; wait`]).pid ?? 0;
    copyPid = await waitForFile(copyPidFile);
  });

  afterAll(() => {
    for (const child of started) child.kill("SIGKILL");
    if (copyPid > 0) process.kill(copyPid, "SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });

  it("takes the daemon, not the copy of it that a command being started is", () => {
    expect(copyPid).toBeGreaterThan(0);
    const found = probe();
    expect(found).toMatchObject({ kind: "deb", daemon: { pid: daemonPid, source: "/proc/PID/comm" } });
    if (found.kind === "none") return;
    expect(found.daemon?.argv.slice(0, 2)).toEqual([lxd, "-c"]);
  });

  it("a process that ends during the scan (grep exits 2) does not spoil it; a scan that cannot run (126) falls back to pgrep", () => {
    const fake = (name: string, script: string): void => writeFileSync(path.join(dir, name), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
    const realGrep = spawnSync("/bin/sh", ["-c", "command -v grep"], { encoding: "utf8" }).stdout.trim();
    try {
      fake("grep", `case "$2" in lxd) ${realGrep} "$@"; exit 2 ;; *) exec ${realGrep} "$@" ;; esac`);
      expect(probe()).toMatchObject({ daemon: { pid: daemonPid, source: "/proc/PID/comm" } });
      fake("grep", `case "$2" in lxd) exit 126 ;; *) exec ${realGrep} "$@" ;; esac`);
      fake("pgrep", `echo ${daemonPid}`);
      expect(probe()).toMatchObject({ daemon: { pid: daemonPid, source: "pgrep -x lxd" } });
    } finally {
      rmSync(path.join(dir, "grep"), { force: true });
      rmSync(path.join(dir, "pgrep"), { force: true });
    }
  });

  it.runIf(isRoot)("of two daemon-like processes, takes the older one even when the younger is listed first", async () => {
    // a younger pid whose text sorts before the daemon's ("1001" < "23456"), as after a wrap-around
    const previous = readFileSync(NEXT_PID, "utf8").trim();
    writeFileSync(NEXT_PID, "1000");
    const younger = start(["-c", "sleep 60; :"]);
    writeFileSync(NEXT_PID, previous);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(`/proc/${younger.pid ?? 0}/comm` < `/proc/${daemonPid}/comm`, `${younger.pid ?? 0} listed before ${daemonPid}`).toBe(true);
    expect(probe()).toMatchObject({ daemon: { pid: daemonPid } });
    younger.kill("SIGKILL");
  });

  it("with no daemon, says which lxd processes it saw and why none is the daemon", async () => {
    // an lxd subcommand whose child looks like a daemon: neither is one
    const script = path.join(dir, "subcommand.sh");
    const childPidFile = path.join(dir, "child.pid");
    writeFileSync(script, `${lxd} -c 'sleep 60; :' & echo $! > ${childPidFile}; wait\n`);
    const subcommand = start([script]);
    const childPid = await waitForFile(childPidFile);
    started.find((child) => child.pid === daemonPid)?.kill("SIGKILL");
    process.kill(copyPid, "SIGKILL");
    copyPid = 0;
    await new Promise((resolve) => setTimeout(resolve, 50));
    const found = probe();
    expect(found).toMatchObject({ daemon: null });
    if (found.kind === "none") return;
    expect(found.daemonNotFound).toContain(`${childPid} (started by an lxd process: a command the daemon is starting)`);
    expect(found.daemonNotFound).toContain(`${subcommand.pid ?? 0} (lxd subcommands, not the daemon)`);
    process.kill(childPid, "SIGKILL");
  });
});

function readFileSafe(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}
