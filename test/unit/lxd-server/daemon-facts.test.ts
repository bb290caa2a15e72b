import { describe, expect, it } from "vitest";
import { FactParseError } from "../../../src/facts/errors.js";
import { daemonFlags, missingFlags, withDaemonFlags } from "../../../src/facts/lxd/daemon-flags.js";
import { parseSnapDaemon, snapBoolean, snapDaemonOption } from "../../../src/facts/lxd/daemon-options.js";
import { parseServiceUnit, serviceAssignments, splitExecPrefix, systemdCommand, systemdWords } from "../../../src/facts/lxd/daemon-unit.js";
import { snapDaemon, unit } from "./fixtures.js";

describe("lxdSnapDaemon: snap get lxd daemon.* (testbed stand-in, snapd's messages)", () => {
  it("never set: every option errors, which means its default", () => {
    const options = snapDaemon("tb3NeverSet");
    expect(options).toEqual({ state: "options", options: {} });
    if (options.state !== "options") throw new Error("unreachable");
    expect(snapDaemonOption(options.options, "daemon.group")).toBe("lxd");
    expect(snapDaemonOption(options.options, "daemon.syslog")).toBe("false");
  });

  it("set options read as snap prints them", () => {
    expect(snapDaemon("tb3Set")).toEqual({ state: "options", options: { "daemon.group": "lxd", "daemon.syslog": "yes" } });
  });

  it("no snap command, snap not installed, snapd down", () => {
    expect(snapDaemon("noSnap")).toEqual({ state: "no_snap" });
    expect(parseSnapDaemon('err daemon.group error: snap "lxd" is not installed\n')).toEqual({ state: "not_installed" });
    expect(parseSnapDaemon("err daemon.group error: cannot communicate with server: Get http://localhost/v2/snaps/lxd/conf: dial unix /run/snapd.socket: connect: no such file or directory\n")).toEqual({
      state: "error",
      message: "cannot communicate with server: Get http://localhost/v2/snaps/lxd/conf: dial unix /run/snapd.socket: connect: no such file or directory",
    });
    expect(() => parseSnapDaemon("what\n")).toThrow(FactParseError);
  });

  it("booleans as the snap's configure hook reads them (get_bool)", () => {
    expect(["true", "1", "yes", "ON", "True"].map(snapBoolean)).toEqual([true, true, true, true, true]);
    expect(["false", "0", "no", "maybe", ""].map(snapBoolean)).toEqual([false, false, false, false, false]);
  });
});

describe("lxdServiceUnit", () => {
  it("captured: systemd does not run here, so the unit file is read from disk", () => {
    expect(unit("tb1")).toEqual({
      source: "files",
      systemctlMessage: "System has not been booted with systemd as init system (PID 1). Can't operate.",
      files: ["/lib/systemd/system/lxd.service"],
      execStart: "/usr/bin/lxd --group lxd --logfile=/var/log/lxd/lxd.log",
      killMode: "process",
      sysvinit: true,
    });
  });

  it("systemctl cat with a drop-in that resets ExecStart (the format systemd prints)", () => {
    const text = [
      "fleet:systemctl",
      "# /lib/systemd/system/lxd.service",
      "[Service]",
      "ExecStart=/usr/bin/lxd --group lxd --logfile=/var/log/lxd/lxd.log",
      "KillMode=process",
      "",
      "# /etc/systemd/system/lxd.service.d/fleet-daemon-flags.conf",
      "[Service]",
      "ExecStart=",
      "ExecStart=/usr/bin/lxd --group lxd \\",
      "  --logfile=/var/log/lxd/lxd.log --syslog",
      "",
    ].join("\n");
    expect(parseServiceUnit(text)).toEqual({
      source: "systemctl",
      systemctlMessage: null,
      files: ["/lib/systemd/system/lxd.service", "/etc/systemd/system/lxd.service.d/fleet-daemon-flags.conf"],
      execStart: "/usr/bin/lxd --group lxd --logfile=/var/log/lxd/lxd.log --syslog",
      killMode: "process",
      sysvinit: false,
    });
  });

  it("from disk: drop-ins in name order, /etc hiding the same name in /lib; no unit at all", () => {
    const text = [
      "fleet:no-systemctl",
      "# /etc/systemd/system/lxd.service",
      "[Service]",
      "ExecStart=/usr/bin/lxd --group lxd",
      "# /etc/systemd/system/lxd.service.d/20-b.conf",
      "[Service]",
      "ExecStart=",
      "ExecStart=/usr/bin/lxd --group b",
      "# /lib/systemd/system/lxd.service.d/10-a.conf",
      "[Service]",
      "ExecStart=",
      "ExecStart=/usr/bin/lxd --group lib-a",
      "# /etc/systemd/system/lxd.service.d/10-a.conf",
      "[Service]",
      "ExecStart=",
      "ExecStart=/usr/bin/lxd --group etc-a",
    ].join("\n");
    const parsed = parseServiceUnit(text);
    expect(parsed.files).toEqual(["/etc/systemd/system/lxd.service", "/etc/systemd/system/lxd.service.d/10-a.conf", "/etc/systemd/system/lxd.service.d/20-b.conf"]);
    expect(parsed.execStart).toBe("/usr/bin/lxd --group b");
    expect(parseServiceUnit("fleet:no-systemctl\n")).toMatchObject({ source: "none", execStart: null, systemctlMessage: "systemctl is not installed" });
    expect(() => parseServiceUnit("")).toThrow(FactParseError);
  });

  it("only [Service] assignments count; prefixes and quoting of ExecStart", () => {
    expect(serviceAssignments(["[Unit]", "ExecStart=/not/this", "[Service]", "# ExecStart=/nor/this", "ExecStart = /usr/bin/lxd"], "ExecStart")).toEqual(["/usr/bin/lxd"]);
    expect(splitExecPrefix("-@/usr/bin/lxd --group lxd")).toEqual({ prefix: "-@", command: "/usr/bin/lxd --group lxd" });
    expect(systemdWords(`/usr/bin/lxd --logfile "/var/log/my lxd.log" --group 'l x'`)).toEqual(["/usr/bin/lxd", "--logfile", "/var/log/my lxd.log", "--group", "l x"]);
    expect(systemdCommand(["/usr/bin/lxd", "--logfile", "/var/log/my lxd.log"])).toBe('/usr/bin/lxd --logfile "/var/log/my lxd.log"');
  });
});

describe("lxd daemon flags", () => {
  it.each<[string[], Partial<ReturnType<typeof daemonFlags>>]>([
    [["lxd"], { syslog: false, verbose: false, debug: false, group: null, logfile: null }],
    [["lxd", "--group", "lxd", "--logfile=/var/log/lxd/lxd.log"], { group: "lxd", logfile: "/var/log/lxd/lxd.log" }],
    [["lxd", "--syslog", "-v"], { syslog: true, verbose: true }],
    [["lxd", "-dv", "--group=adm"], { debug: true, verbose: true, group: "adm" }],
    [["lxd", "--syslog", "--syslog=false", "--verbose=true"], { syslog: false, verbose: true }],
    [["lxd", "--logfile", "--syslog"], { logfile: "--syslog", syslog: false }],
  ])("%j", (argv, expected) => {
    expect(daemonFlags(argv)).toMatchObject(expected);
  });

  it("missing flags in words", () => {
    expect(missingFlags(["lxd", "--group", "root"], { syslog: true, verbose: false, group: "lxd" })).toEqual(["--group lxd", "--syslog"]);
    expect(missingFlags(["lxd", "-v"], { verbose: false })).toEqual(["no --verbose"]);
    expect(missingFlags(["lxd", "--group", "lxd", "--syslog"], { syslog: true, group: "lxd" })).toEqual([]);
  });

  it("the command line with the wanted flags: right ones untouched, wrong ones replaced", () => {
    const debian = ["/usr/bin/lxd", "--group", "lxd", "--logfile=/var/log/lxd/lxd.log"];
    expect(withDaemonFlags(debian, { syslog: true, verbose: true })).toEqual([...debian, "--syslog", "--verbose"]);
    expect(withDaemonFlags(debian, { group: "lxd" })).toEqual(debian);
    expect(withDaemonFlags(["lxd", "--group=root", "-dv", "--syslog"], { group: "adm", verbose: false, syslog: false })).toEqual(["lxd", "-d", "--group", "adm"]);
    expect(withDaemonFlags(["lxd", "--syslog=false"], { syslog: true })).toEqual(["lxd", "--syslog"]);
    for (const wanted of [{ syslog: true }, { verbose: true, group: "x" }, { syslog: false, verbose: false }]) {
      expect(missingFlags(withDaemonFlags(["lxd", "-v", "--group", "y", "--syslog=true"], wanted), wanted)).toEqual([]);
    }
  });
});
