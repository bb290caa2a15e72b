/**
 * Fault: the LXD daemon of a testbed host is down while the baseline is audited. tb3 is a
 * snap-looking standalone host, so the testbed's snap stand-in stops and starts its daemon
 * (`snap stop lxd` sends LXD's SIGTERM and waits; `snap start lxd` starts it with the snap
 * options). The daemon is down only for the one audit (about 5 s), and `finally` starts it again
 * and waits until it answers: other tests share the testbed.
 *
 * Expected: every control that needs the daemon is `error` saying the daemon is not running (never
 * pass, fail, or a silent not_applicable), the controls judged without it come out as with the
 * daemon up, and the audit exits 2 (a control erred).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FleetReport, ReportControlResult } from "../../../src/report/types.js";
import { sshOk, testbed, testbedHost } from "../../integration/testbed.js";
import { fleet, hostOf, type FleetOutcome } from "../support/fleet-cli.js";
import { sessionProcesses, sleep } from "../support/processes.js";

const info = testbed();
const tb3 = testbedHost("tb3", info);
const VARS = "@test/fixtures/baseline/testbed-vars.yml";

/** Controls whose module reads the LXD API (lxc query): they cannot be judged without the daemon. */
const API_MODULE_CONTROLS = [
  "LXD-RES-01", "LXD-RES-02", "LXD-ACC-02", "LXD-ACC-03", "LXD-ACC-04", "LXD-ACC-08", "LXD-ACC-09", "LXD-ACC-10",
  "LXD-NET-01", "LXD-NET-02", "LXD-PRF-01", "LXD-INS-01", "LXD-INS-02", "LXD-INS-03", "LXD-INS-04",
  "LXD-DEV-01", "LXD-DEV-02", "LXD-DEV-03", "LXD-MU-02",
];
/** Controls judged by an `assert` on facts.lxd (version, config, API extensions), gated by `when: facts.lxd.reachable`. */
const API_ASSERT_CONTROLS = ["LXD-GEN-02", "LXD-ACC-06", "LXD-NET-03", "LXD-LOG-03"];
/** Controls judged from the host itself: packages, files, auditd, sysctl, the snap's options, evidence vars. */
const HOST_CONTROLS = [
  "LXD-GEN-01", "LXD-ACC-05", "LXD-ACC-07", "LXD-DEV-04", "LXD-STO-01", "LXD-LOG-02", "LXD-MU-03",
  "LXD-HOST-01", "LXD-HOST-02", "LXD-HOST-03", "LXD-LOG-01", "LXD-MU-01",
];
const DAEMON_DOWN = /the LXD daemon is not running/;

async function audit(): Promise<FleetOutcome> {
  const outcome = await fleet(["audit", "playbooks/baseline.yml", "-i", info.inventoryFile, "-l", "tb3", "-e", VARS]);
  if (outcome.report === undefined || /internal error/.test(outcome.stderr)) throw new Error(`no report (exit ${outcome.code}):\n${outcome.stdout}\n${outcome.stderr}`);
  return outcome;
}

const controlsOf = (report: FleetReport | undefined): Map<string, ReportControlResult> => new Map(hostOf(report, "tb3").controls.map((control) => [control.id, control]));

async function lxdAnswers(): Promise<boolean> {
  return sshOk(tb3, "lxc query /1.0 </dev/null >/dev/null && echo up").then((out) => out.trim() === "up", () => false);
}

let up: FleetOutcome;
let down: FleetOutcome;
/** Processes of SSH sessions to tb3 that existed before the audit (other tests may be using it). */
let before: Set<number>;

beforeAll(async () => {
  // the reference: the same audit with the daemon up, just before
  up = await audit();
  before = new Set(sessionProcesses(tb3.address).map((entry) => entry.pid));
  await sshOk(tb3, "snap stop lxd </dev/null");
  try {
    down = await audit();
  } finally {
    await sshOk(tb3, "snap start lxd </dev/null && /snap/bin/lxd waitready --timeout=60 </dev/null");
  }
  for (let attempt = 0; !(await lxdAnswers()); attempt++) {
    if (attempt > 50) throw new Error("tb3's LXD daemon does not answer after the restart");
    await sleep(200);
  }
});

afterAll(async () => {
  // never leave tb3 without its daemon, whatever failed above
  if (!(await lxdAnswers())) await sshOk(tb3, "snap start lxd </dev/null && /snap/bin/lxd waitready --timeout=60 </dev/null");
});

describe("the baseline audit of a host whose LXD daemon is down", () => {
  it("judges every control (the reference audit with the daemon up erred on none)", () => {
    expect([...controlsOf(up.report).values()].filter((control) => control.status === "error")).toEqual([]);
    expect([...controlsOf(down.report).keys()].sort()).toEqual([...API_MODULE_CONTROLS, ...API_ASSERT_CONTROLS, ...HOST_CONTROLS, "LXD-ACC-01"].sort());
  });

  it("exits 2, and every control read through the LXD API is an error saying the daemon is not running", () => {
    expect(down.code, down.stdout).toBe(2);
    const controls = controlsOf(down.report);
    for (const id of API_MODULE_CONTROLS) {
      expect(controls.get(id)?.status, id).toBe("error");
      expect(controls.get(id)?.message, id).toMatch(DAEMON_DOWN);
    }
    // the operator sees it on the task lines, with the control's id
    expect(down.stdout).toMatch(/^tb3: failed: Unused managed networks \[LXD-RES-01\] — .*the LXD daemon is not running/m);
    expect(down.report?.summary.controls.error).toBeGreaterThanOrEqual(API_MODULE_CONTROLS.length);
    expect(hostOf(down.report, "tb3")).toMatchObject({ status: expect.stringMatching(/^(ok|changed|failed)$/), error: null });
  });

  it("judges the controls that do not need the daemon as it does with the daemon up", () => {
    const before = controlsOf(up.report);
    const after = controlsOf(down.report);
    for (const id of HOST_CONTROLS) expect(after.get(id)?.status, id).toBe(before.get(id)?.status);
  });

  // The checks that read facts.lxd are gated on LXD being installed, not on the daemon answering,
  // and require the daemon through `assert: requires:`: stopping the daemon makes them errors
  // (counted against the score), never not_applicable (left out of it).
  it("does not turn the controls that need the daemon into not_applicable: they are errors too", () => {
    const before = controlsOf(up.report);
    const after = controlsOf(down.report);
    for (const id of API_ASSERT_CONTROLS) {
      expect(after.get(id)?.status, id).toBe("error");
      expect(after.get(id)?.message, id).toMatch(DAEMON_DOWN);
    }
    const accessGroup = after.get("LXD-ACC-01");
    if (accessGroup?.status !== before.get("LXD-ACC-01")?.status) {
      expect(accessGroup?.status, "LXD-ACC-01").toBe("error");
      expect(accessGroup?.message, "LXD-ACC-01").toMatch(DAEMON_DOWN);
    }
  });

  it("leaves nothing of its own running on the host, and the daemon answers again", async () => {
    const left = sessionProcesses(tb3.address).filter((entry) => !before.has(entry.pid) && /\bsh -s\b|lxc|apt|snap/.test(entry.cmdline));
    expect(left).toEqual([]);
    expect(await lxdAnswers()).toBe(true);
    expect(await sshOk(tb3, "ls -A /etc/audit/rules.d /etc/tmpfiles.d /etc/sysctl.d /var/snap/lxd/common | grep -c fleet-tmp || true")).toBe("0\n");
  });
});

