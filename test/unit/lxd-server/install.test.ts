import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { FactParseError } from "../../../src/facts/errors.js";
import { lxdInstall, parseLxdInstall, snapTracking } from "../../../src/facts/lxd/install.js";
import { install, rawInstall } from "./fixtures.js";

describe("lxdInstall: captured on the testbed", () => {
  it("tb1: Debian's package, the daemon found with pgrep in this host's mount namespace", () => {
    expect(install("tb1")).toEqual({
      kind: "deb",
      lxc: "/usr/bin/lxc",
      lxd: "/usr/bin/lxd",
      dir: "/var/lib/lxd",
      tracking: null,
      snapMessage: null,
      socketGroup: "root",
      userSocketGroup: null,
      daemon: { pid: expect.any(Number) as number, source: "pgrep -x lxd", argv: ["lxd", "--group", "root", "--logfile", "/tmp/fleet-tb-lxdsrv/hosts/tb1/lxd.log"] },
    });
  });

  it("tbc1 and tb3: the snap's paths, channel and pid file", () => {
    for (const name of ["tbc1", "tb3Fresh"]) {
      const host = name === "tbc1" ? "tbc1" : "tb3";
      expect(install(name)).toEqual({
        kind: "snap",
        lxc: "/snap/bin/lxc",
        lxd: "/snap/bin/lxd",
        dir: "/var/snap/lxd/common/lxd",
        tracking: "5.0/stable",
        snapMessage: null,
        socketGroup: "lxd",
        userSocketGroup: null,
        daemon: { pid: expect.any(Number) as number, source: "pidfile /var/snap/lxd/common/lxd.pid", argv: ["lxd", "--logfile", `/tmp/fleet-tb-lxdsrv/hosts/${host}/lxd.log`, "--group", "lxd"] },
      });
    }
  });

  it("snap set without a restart leaves the daemon as it was; the restart brings the flags and a new pid", () => {
    const pending = install("tb3Pending");
    const restarted = install("tb3Restarted");
    if (pending.kind !== "snap" || restarted.kind !== "snap") throw new Error("expected snap");
    const fresh = install("tb3Fresh");
    expect(fresh.kind === "snap" ? fresh.daemon?.argv : undefined).toEqual(pending.daemon?.argv);
    expect(restarted.daemon?.argv.slice(3)).toEqual(["--group", "lxd", "--syslog", "--verbose"]);
    expect(restarted.daemon?.pid).not.toBe(pending.daemon?.pid);
  });

  it("a stopped daemon: no daemon (the stale pid file names no live lxd)", () => {
    expect(install("tb3Stopped")).toMatchObject({ kind: "snap", daemon: null, socketGroup: null });
  });

  it("no lxd and no lxc: none", () => {
    expect(install("noLxd")).toEqual({ kind: "none", lxc: null });
  });
});

describe("lxdInstall: parser", () => {
  it("an argv with an empty argument and a value holding '='", () => {
    const parsed = parseLxdInstall("kind=deb\nlxd=/usr/sbin/lxd\ndir=/var/lib/lxd\npid=42\npid_source=pgrep -x lxd\narg=lxd\narg=--logfile=/var/log/lxd/lxd.log\narg=\n");
    expect(parsed).toMatchObject({ kind: "deb", lxc: null, daemon: { pid: 42, argv: ["lxd", "--logfile=/var/log/lxd/lxd.log", ""] } });
  });

  it("no daemon found: says which lxd processes were seen and why none is this host's", () => {
    const seen = parseLxdInstall("kind=deb\nlxd=/usr/bin/lxd\ndir=/var/lib/lxd\nseen=812 other-namespace\nseen=900 subcommand\nseen=813 other-namespace\nseen=901 gone\nseen=902 one-shot\nseen=903 child-of-lxd\n");
    expect(seen).toMatchObject({ daemon: null, daemonNotFound: "lxd processes seen: 812, 813 (in another mount namespace: another host's or a container's daemon); 900 (lxd subcommands, not the daemon); 901 (exited while read); 902 (lxd --version or --help, not the daemon); 903 (started by an lxd process: a command the daemon is starting)" });
    expect(parseLxdInstall("kind=deb\nlxd=/usr/bin/lxd\ndir=/var/lib/lxd\n")).toMatchObject({ daemon: null, daemonNotFound: "no lxd process at all" });
    expect(parseLxdInstall("kind=deb\nlxd=/usr/bin/lxd\ndir=/var/lib/lxd\npid=77\npid_source=pgrep -x lxd\n")).toMatchObject({ daemon: null, daemonNotFound: "pid 77 exited while its command line was read" });
    expect(parseLxdInstall("kind=deb\ndir=/var/lib/lxd\npid=77\narg=lxd\n")).not.toHaveProperty("daemonNotFound");
  });

  it("refuses output without a kind or with a bad pid", () => {
    expect(() => parseLxdInstall("dir=/x\n")).toThrow(FactParseError);
    expect(() => parseLxdInstall("kind=deb\ndir=/x\npid=abc\narg=lxd\n")).toThrow(FactParseError);
    expect(() => lxdInstall.parse({ stdout: "", stderr: "sh: boom\n", exitCode: 2 }, "")).toThrow(/exited 2/);
  });

  it("the Tracking column of snap list, wherever it is", () => {
    expect(snapTracking(["Name  Version  Rev    Tracking       Publisher   Notes", "lxd   5.21.3   31333  5.21/stable    canonical✓  -"])).toEqual({ tracking: "5.21/stable", message: null });
    expect(snapTracking(["Name  Version    Rev    Tracking  Publisher  Notes", "lxd   6.9-abc    36000  latest/edge  canonical** -"])).toEqual({ tracking: "latest/edge", message: null });
    expect(snapTracking(["Name  Version  Rev  Tracking  Publisher  Notes", "lxd   5.0.2    x1   -         -          -"])).toEqual({ tracking: null, message: "Name  Version  Rev  Tracking  Publisher  Notes lxd   5.0.2    x1   -         -          -" });
    expect(snapTracking(["error: no matching snaps installed"])).toEqual({ tracking: null, message: "no matching snaps installed" });
    expect(snapTracking(["fleet:no-snap"])).toEqual({ tracking: null, message: "the snap command is not installed" });
  });

  it("the probe runs on this machine and agrees with what is installed here", () => {
    const run = spawnSync("/bin/sh", ["-c", lxdInstall.probe("")], { encoding: "utf8" });
    const here = lxdInstall.parse({ stdout: run.stdout, stderr: run.stderr, exitCode: run.status ?? -1 }, "");
    const has = (script: string): boolean => spawnSync("/bin/sh", ["-c", script]).status === 0;
    const expected = has("[ -x /snap/bin/lxd ] || [ -x /snap/bin/lxc ]") ? "snap" : has("command -v lxd") ? "deb" : "none";
    expect(here.kind).toBe(expected);
    expect(rawInstall("tb1").stdout).toContain("pid_source=pgrep -x lxd");
  });
});
