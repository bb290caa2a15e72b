/**
 * The testbed's stand-in `snap` (test/testbed/snap-standin.sh), run here with its state in a
 * temporary directory and a fake lxd: options, the snap's config file, and start/stop/restart
 * building the daemon's command line from the options as the lxd snap's daemon.start does.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseSnapDaemon } from "../../../src/facts/lxd/daemon-options.js";
import { lxdSnapDaemon } from "../../../src/facts/lxd/daemon-options.js";
import { snapTracking } from "../../../src/facts/lxd/install.js";

const STANDIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../testbed/snap-standin.sh");

let dir = "";
let env: NodeJS.ProcessEnv = {};

/** A fake lxd: records its arguments (in args.PID), answers waitready and --version, runs until SIGTERM. */
const FAKE_LXD = `#!/bin/sh
case "$1" in
  waitready) exit 0 ;;
  --version) echo 5.0.2; exit 0 ;;
esac
printf '%s\\n' "$@" > "$(dirname "$0")/args.tmp.$$" && mv "$(dirname "$0")/args.tmp.$$" "$(dirname "$0")/args.$$"
trap 'exit 0' TERM
while :; do sleep 0.05; done
`;

function snap(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync("/bin/bash", [STANDIN, ...args], { encoding: "utf8", env, timeout: 30_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function snapHost(): void {
  writeFileSync(
    path.join(dir, "testbed.env"),
    [`FLEET_TESTBED_INSTALL=snap`, `FLEET_TESTBED_TRACKING=5.21/stable`, `FLEET_TESTBED_LXD_PIDFILE=${dir}/lxd.pid`, `FLEET_TESTBED_LXD_LOGFILE=${dir}/lxd.log`, ""].join("\n"),
  );
}

/** The arguments the running fake lxd got (it writes them just after it starts: wait for them). */
function daemonArgs(): string[] {
  const file = path.join(dir, `args.${pid()}`);
  for (let waited = 0; !existsSync(file) && waited < 5000; waited += 10) spawnSync("sleep", ["0.01"]);
  return readFileSync(file, "utf8").trim().split("\n");
}
const pid = (): number => Number(readFileSync(path.join(dir, "lxd.pid"), "utf8").trim());
const alive = (candidate: number): boolean => existsSync(`/proc/${candidate}`) && !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${candidate}/stat`, "utf8"));

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "fleet-standin-"));
  writeFileSync(path.join(dir, "lxd"), FAKE_LXD);
  chmodSync(path.join(dir, "lxd"), 0o755);
  env = { PATH: process.env["PATH"] ?? "/usr/bin:/bin", FLEET_SNAP_STATE: path.join(dir, "lxd.options"), FLEET_TESTBED_SNAP_COMMON: path.join(dir, "common"), FLEET_TESTBED_LXD: path.join(dir, "lxd") };
});

afterEach(() => {
  if (existsSync(path.join(dir, "lxd.pid"))) snap("stop", "lxd");
  rmSync(dir, { recursive: true, force: true });
});

describe("the stand-in snap: options", () => {
  it("get errors for a never-set option with snapd's message; set, get -d and unset", () => {
    expect(snap("get", "lxd", "daemon.syslog")).toMatchObject({ status: 1, stderr: 'error: snap "lxd" has no "daemon.syslog" configuration option\n' });
    expect(snap("set", "lxd", "daemon.syslog=true", "daemon.group=adm").status).toBe(0);
    expect(snap("get", "lxd", "daemon.group").stdout).toBe("adm\n");
    expect(JSON.parse(snap("get", "-d", "lxd").stdout)).toEqual({ "daemon.syslog": "true", "daemon.group": "adm" });
    expect(snap("unset", "lxd", "daemon.group").status).toBe(0);
    expect(snap("get", "lxd", "daemon.group").status).toBe(1);
  });

  it("answers the lxdSnapDaemon probe as the fact expects", () => {
    snap("set", "lxd", "daemon.verbose=on");
    const run = spawnSync("/bin/sh", ["-c", lxdSnapDaemon.probe("").replace("command -v snap", `snap() { /bin/bash ${STANDIN} "$@"; }; command -v snap`)], { encoding: "utf8", env });
    expect(parseSnapDaemon(run.stdout)).toEqual({ state: "options", options: { "daemon.verbose": "on" } });
  });

  it("a package host (no testbed.env): snap list still answers, the daemon commands refuse", () => {
    expect(snapTracking(snap("list", "lxd").stdout.trimEnd().split("\n"))).toEqual({ tracking: "5.0/stable", message: null });
    expect(snap("restart", "--reload", "lxd")).toMatchObject({ status: 1, stderr: expect.stringContaining("runs Debian's lxd package") as string });
    expect(existsSync(path.join(dir, "common"))).toBe(false);
  });
});

describe("the stand-in snap on a snap host: the configure hook and the daemon", () => {
  beforeEach(snapHost);

  it("snap set regenerates the snap's config file (get_bool: yes → true)", () => {
    snap("set", "lxd", "daemon.syslog=yes", "daemon.group=adm");
    expect(readFileSync(path.join(dir, "common", "config"), "utf8")).toBe(
      "# This file is auto-generated, do NOT manually edit\ndaemon_debug=false\ndaemon_group=adm\ndaemon_syslog=true\ndaemon_user_group=lxd\ndaemon_verbose=false\n",
    );
    expect(snapTracking(snap("list", "lxd").stdout.trimEnd().split("\n"))).toEqual({ tracking: "5.21/stable", message: null });
  });

  it("start builds the command line from the options; restart --reload applies new ones with a new pid", () => {
    expect(snap("start", "lxd")).toMatchObject({ status: 0 });
    const first = pid();
    expect(daemonArgs()).toEqual(["--logfile", `${dir}/lxd.log`, "--group", "lxd"]);
    expect(readFileSync(path.join(dir, "common", "lxd.pid"), "utf8").trim()).toBe(String(first));
    expect(snap("start", "lxd").status).toBe(0);
    expect(pid()).toBe(first);

    snap("set", "lxd", "daemon.syslog=true", "daemon.verbose=1", "daemon.debug=false");
    expect(snap("restart", "--reload", "lxd")).toMatchObject({ status: 0 });
    expect(daemonArgs()).toEqual(["--logfile", `${dir}/lxd.log`, "--group", "lxd", "--syslog", "--verbose"]);
    expect(pid()).not.toBe(first);
    expect(alive(first)).toBe(false);
    expect(alive(pid())).toBe(true);
  });

  it("a daemon.group that does not exist: no --group (only root could use LXD), as the snap does", () => {
    snap("set", "lxd", "daemon.group=fleet-no-such-group");
    const started = snap("start", "lxd");
    expect(started.stderr).toContain('No "fleet-no-such-group" group found, only root will be able to use LXD.');
    expect(daemonArgs()).toEqual(["--logfile", `${dir}/lxd.log`]);
  });

  it("stop ends the daemon; restart of a stopped daemon starts it", () => {
    snap("start", "lxd");
    const first = pid();
    expect(snap("stop", "lxd").status).toBe(0);
    expect(alive(first)).toBe(false);
    expect(snap("restart", "lxd").status).toBe(0);
    expect(alive(pid())).toBe(true);
  });
});
