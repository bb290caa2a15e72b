import { describe, expect, it } from "vitest";
import type { LxdSnapDaemon } from "../../../src/facts/lxd/daemon-options.js";
import type { LxdServiceUnit } from "../../../src/facts/lxd/daemon-unit.js";
import type { LxdInstall } from "../../../src/facts/lxd/install.js";
import { factKey, type FactValue } from "../../../src/facts/types.js";
import { DROP_IN, lxdDaemonModule, packageRemediation } from "../../../src/modules/lxd-daemon.js";
import type { Plan } from "../../../src/modules/types.js";
import { planModule } from "../../support/plan-module.js";
import { daemonFacts, install, snapDaemon, unit } from "./fixtures.js";

type Facts = Record<string, FactValue>;
type Change = Extract<Plan, { kind: "change" }>;
type Installed = Exclude<LxdInstall, { kind: "none" }>;

const NEVER_SET = snapDaemon("tb3NeverSet");
const TB1_UNIT = unit("tb1");
const setOptions = (options: Record<string, string>): LxdSnapDaemon => ({ state: "options", options });
const facts = (installed: LxdInstall, options: LxdSnapDaemon = NEVER_SET, serviceUnit: LxdServiceUnit = TB1_UNIT): Facts => daemonFacts(installed, options, serviceUnit);
const plan = (args: unknown, given: Facts): Plan => planModule(lxdDaemonModule, args, given).plan;

function change(args: unknown, given: Facts): Change {
  const planned = plan(args, given);
  if (planned.kind !== "change") throw new Error(`expected a change, got ${JSON.stringify(planned)}`);
  return planned;
}

function replan(args: unknown, given: Facts): { first: Change; second: Plan; after: Facts } {
  const first = change(args, given);
  const after = { ...given, ...Object.fromEntries(first.effects.map((effect) => [factKey(effect.request), effect.value])) };
  return { first, second: plan(args, after), after };
}

const restartScript = (pid: number): string =>
  [
    'PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"',
    "snap restart --reload lxd </dev/null",
    `fleet_wait=0; while [ "$(cat /var/snap/lxd/common/lxd.pid 2>/dev/null)" = ${pid} ] && [ $fleet_wait -lt 600 ]; do sleep 0.1; fleet_wait=$((fleet_wait + 1)); done`,
    "/snap/bin/lxd waitready --timeout=600 </dev/null",
  ].join("\n");
const SET_BOTH = 'PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"\nsnap set lxd daemon.syslog=true daemon.verbose=true </dev/null';
const pidOf = (installed: LxdInstall): number => (installed.kind === "none" ? 0 : (installed.daemon?.pid ?? 0));

describe("lxd_daemon on a snap install (tb3, tbc1: the testbed's snap-looking hosts)", () => {
  it("LXD-LOG-01 on a fresh snap: set both options, restart, and the captured result is ok", () => {
    const { first, second } = replan({ syslog: true, verbose: true }, facts(install("tb3Fresh")));
    const pid = (install("tb3Fresh") as Installed).daemon?.pid ?? 0;
    expect(first.summary).toBe(`daemon.syslog: false (never set) → true; daemon.verbose: false (never set) → true; restart lxd (pid ${pid} needs --syslog, --verbose)`);
    expect(first.commands.map((command) => command.script)).toEqual([SET_BOTH, restartScript(pid)]);
    expect(first.expected).toBe("daemon.syslog=true, daemon.verbose=true");
    expect(second.kind).toBe("ok");
    // What the testbed really showed after `snap set` + `snap restart --reload lxd`:
    expect(plan({ syslog: true, verbose: true }, facts(install("tb3Restarted"), setOptions({ "daemon.syslog": "true", "daemon.verbose": "true" })))).toMatchObject({
      kind: "ok",
      reason: expect.stringMatching(/^snap options daemon.syslog=true, daemon.verbose=true are in effect and the running lxd \(pid \d+\) has --syslog, --verbose$/) as string,
    });
  });

  it("the predicted argv is the captured one", () => {
    const { after } = replan({ syslog: true, verbose: true }, facts(install("tb3Fresh")));
    const predicted = after["lxd_install:"] as Installed;
    const captured = install("tb3Restarted") as Installed;
    expect(predicted.daemon?.argv).toEqual(captured.daemon?.argv);
  });

  it("options set but the daemon not restarted (restart pending): only the restart", () => {
    const { first, second } = replan({ syslog: true, verbose: true }, facts(install("tb3Pending"), setOptions({ "daemon.syslog": "true", "daemon.verbose": "true" })));
    expect(first.commands.map((command) => command.script)).toEqual([restartScript(pidOf(install("tb3Pending")))]);
    expect(first.summary).toMatch(/^restart lxd \(pid \d+ needs --syslog, --verbose\)$/);
    expect(second.kind).toBe("ok");
  });

  it("a stopped daemon: the options are enough (it starts with them)", () => {
    const stopped = install("tb3Stopped");
    expect(plan({ syslog: true }, facts(stopped, setOptions({ "daemon.syslog": "yes" })))).toEqual({
      kind: "ok",
      reason: "snap options daemon.syslog=true are in effect and lxd is not running (it starts on demand, with these options)",
      actual: "daemon.syslog=yes, daemon.verbose=false (never set), daemon.group=lxd (never set), daemon.user.group=lxd (never set); lxd not running",
    });
    const { first, second } = replan({ syslog: true }, facts(stopped));
    expect(first.commands).toHaveLength(1);
    expect(second.kind).toBe("ok");
  });

  it("booleans as the snap reads them: yes/on/1 are true", () => {
    const restarted = install("tb3Restarted");
    for (const value of ["yes", "on", "1", "TRUE"]) expect(plan({ syslog: true, verbose: true }, facts(restarted, setOptions({ "daemon.syslog": value, "daemon.verbose": value }))).kind).toBe("ok");
    expect(plan({ syslog: false }, facts(install("tb3Fresh"))).kind).toBe("ok");
  });

  it("LXD-ACC-01: the default group lxd holds (never set, --group lxd); another group is checked to exist first", () => {
    expect(plan({ group: "lxd" }, facts(install("tbc1"))).kind).toBe("ok");
    const { first, second, after } = replan({ group: "lxd-admins" }, facts(install("tbc1")));
    expect(first.commands[0]?.script).toBe(
      [
        'PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"',
        "getent group lxd-admins >/dev/null || { printf 'fleet: group %s does not exist: create it first (the snap would start lxd without --group, and only root could use LXD)\\n' lxd-admins >&2; exit 1; }",
        "snap set lxd daemon.group=lxd-admins </dev/null",
      ].join("\n"),
    );
    expect(first.commands).toHaveLength(2);
    expect((after["lxd_install:"] as Installed).socketGroup).toBe("lxd-admins");
    expect(second.kind).toBe("ok");
  });

  it("LXD-MU-01: daemon.user.group needs no restart (lxd-user's socket, not the daemon's argv)", () => {
    const { first, second } = replan({ user_group: "lxdusers" }, facts(install("tb3Fresh")));
    expect(first.summary).toBe("daemon.user.group: lxd (never set) → lxdusers");
    expect(first.commands.map((command) => command.description)).toEqual(["snap set lxd daemon.user.group=lxdusers"]);
    expect(second.kind).toBe("ok");
  });

  it("daemon.user.group at its default, without an lxd-user socket yet: ok, said as such", () => {
    expect(plan({ user_group: "lxd" }, facts(install("tb3Fresh")))).toMatchObject({
      kind: "ok",
      reason: "snap options daemon.user.group=lxd are in effect; lxd-user's socket does not exist yet (it gets the group when lxd-user starts)",
    });
  });

  it("the lxd-user socket's group is checked when the socket exists", () => {
    const withSocket = { ...(install("tb3Fresh") as Installed), userSocketGroup: "lxd" };
    const { first, second } = replan({ user_group: "lxdusers" }, facts(withSocket, setOptions({ "daemon.user.group": "lxdusers" })));
    expect(first.summary).toBe("lxd-user socket group lxd → lxdusers");
    expect(second.kind).toBe("ok");
  });

  it("snap trouble: no snap command, snapd failing", () => {
    expect(plan({ syslog: true }, facts(install("tb3Fresh"), { state: "no_snap" }))).toMatchObject({ kind: "fail" });
    expect(plan({ syslog: true }, facts(install("tb3Fresh"), { state: "error", message: "cannot communicate with server" }))).toEqual({ kind: "error", message: "cannot read the lxd snap's options: cannot communicate with server" });
  });
});

describe("lxd_daemon on a package install (tb1: Debian's lxd, started by the testbed as lxd --group root --logfile …)", () => {
  const tb1 = install("tb1");
  const argv = (tb1 as Installed).daemon?.argv ?? [];

  it("flags the running daemon has: ok (only the argv counts; the snap stand-in's options are ignored)", () => {
    expect(plan({ group: "root", syslog: false }, facts(tb1, setOptions({ "daemon.group": "other" })))).toMatchObject({ kind: "ok", reason: expect.stringMatching(/^the running lxd \(pid \d+\) has --group root, no --syslog$/) as string });
  });

  it("LXD-LOG-01: a fail with the exact drop-in, built from the unit's ExecStart", () => {
    const planned = plan({ syslog: true, verbose: true }, facts(tb1));
    expect(planned.kind).toBe("fail");
    if (planned.kind !== "fail") return;
    expect(planned.expected).toBe("--syslog, --verbose");
    expect(planned.actual).toBe(`running: ${argv.join(" ")}`);
    expect(planned.message).toBe(
      [
        `the running lxd (pid ${(tb1 as Installed).daemon?.pid ?? 0}) needs --syslog, --verbose: it was started as \`${argv.join(" ")}\`.`,
        `Fix: lxd.service starts \`/usr/bin/lxd --group lxd --logfile=/var/log/lxd/lxd.log\` (read from /lib/systemd/system/lxd.service because systemctl could not be used: System has not been booted with systemd as init system (PID 1). Can't operate.); write ${DROP_IN} with`,
        "[Service]",
        "ExecStart=",
        "ExecStart=/usr/bin/lxd --group lxd --logfile=/var/log/lxd/lxd.log --syslog --verbose",
        'then run `systemctl daemon-reload && systemctl restart lxd.service` (instances keep running: the unit has KillMode=process). This host does not run systemd: /etc/init.d/lxd starts lxd there, so put the same flags in its start-stop-daemon line (after "--").',
      ].join("\n").replace(".\nFix", ". Fix"),
    );
  });

  it("a group the unit already gives but the running daemon lacks: restart through the unit", () => {
    const planned = plan({ group: "lxd" }, facts(tb1));
    expect(planned).toMatchObject({ kind: "fail", message: expect.stringContaining("lxd.service already starts lxd with them (ExecStart=/usr/bin/lxd --group lxd --logfile=/var/log/lxd/lxd.log") as string });
  });

  it("with systemd: the drop-in keeps ExecStart's prefix; without any unit: the running command line with the flags", () => {
    const systemd: LxdServiceUnit = { source: "systemctl", systemctlMessage: null, files: ["/lib/systemd/system/lxd.service"], execStart: "-/usr/bin/lxd --group lxd -v", killMode: null, sysvinit: false };
    expect(packageRemediation({ verbose: false, syslog: true }, ["lxd"], systemd)).toBe(
      `Fix: lxd.service starts \`-/usr/bin/lxd --group lxd -v\` (from systemctl cat lxd.service); write ${DROP_IN} with\n[Service]\nExecStart=\nExecStart=-/usr/bin/lxd --group lxd --syslog\nthen run \`systemctl daemon-reload && systemctl restart lxd.service\`.`,
    );
    const none: LxdServiceUnit = { source: "none", systemctlMessage: "systemctl is not installed", files: [], execStart: null, killMode: null, sysvinit: false };
    expect(packageRemediation({ syslog: true }, ["/usr/sbin/lxd", "--group", "lxd"], none)).toBe(
      "Fix: no lxd.service unit was found and systemctl could not be used (systemctl is not installed), so add the flags where this host starts lxd: start it as `/usr/sbin/lxd --group lxd --syslog`.",
    );
  });

  it("user_group alone is a snap setting: not applicable; with flags it is noted", () => {
    expect(plan({ user_group: "lxdusers" }, facts(tb1))).toMatchObject({ kind: "not_applicable" });
    expect(plan({ group: "root", user_group: "lxdusers" }, facts(tb1))).toMatchObject({ kind: "ok", reason: expect.stringContaining("user_group is the snap's daemon.user.group") as string });
  });

  it("no daemon running: fail (its flags cannot be checked)", () => {
    const stopped = { ...(tb1 as Installed), daemon: null };
    expect(plan({ syslog: true }, facts(stopped))).toMatchObject({ kind: "fail", message: expect.stringContaining("/etc/init.d/lxd start") as string });
  });
});

describe("lxd_daemon: no LXD, and arguments", () => {
  it("no LXD: not applicable", () => {
    expect(plan({ syslog: true }, facts(install("noLxd")))).toEqual({ kind: "not_applicable", reason: "LXD is not installed" });
  });

  it("declares the install, snap options and unit facts", () => {
    expect(planModule(lxdDaemonModule, { syslog: true }, facts(install("noLxd"))).requested).toEqual(["lxd_install:", "lxd_snap_daemon:", "lxd_service_unit:"]);
  });

  it.each<[unknown, string[]]>([
    [{}, ["syslog: give at least one of syslog, verbose, group, user_group"]],
    [{ syslog: "yes" }, [expect.stringMatching(/^syslog: /) as unknown as string]],
    [{ group: "lxd admins" }, ["group: expected a group name such as lxd"]],
    [{ user_group: "" }, ["user_group: expected a group name such as lxd"]],
    [{ debug: true }, [': unknown argument "debug" of lxd_daemon (it takes group, syslog, user_group, verbose)', "syslog: give at least one of syslog, verbose, group, user_group"]],
  ])("%j", (raw, expected) => {
    const result = lxdDaemonModule.args.safeParse(raw);
    expect(result.success ? [] : result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`)).toEqual(expected);
  });
});
