/**
 * LXD-LOG-01 reads the running daemon's command line. Hosts also run short-lived lxd processes
 * (`lxd --version` from `snap list`, the daemon's own fork-before-exec copies), and once the
 * kernel's pids wrap around, pgrep lists those before the daemon. The audit must still judge the
 * daemon on every host: here the next pids are set below the daemons' before each audit (when
 * the daemons' pids leave room for that).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import "../../../src/cli/commands/index.js";
import { runCli } from "../../../src/cli/program.js";
import type { FleetReport } from "../../../src/report/types.js";
import { captureIo } from "../../support/capture-io.js";
import { testbed } from "../testbed.js";

const info = testbed();
const work = mkdtempSync(path.join(tmpdir(), "fleet-daemon-search-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const NEXT_PID = "/proc/sys/kernel/ns_last_pid";
/** The kernel hands out pids from 300 again after a wrap-around. */
const LOW_PID = 300;

describe("the LXD daemon search after pids wrapped around", () => {
  it("finds each host's running daemon in 3 full audits, their processes given pids below the daemons' where there is room", async () => {
    // each host's lxd.pid sits beside its sshd.pid (the snap stand-in writes it on the snap-looking hosts)
    const daemonPids = new Map(info.hosts.map((host) => [host.name, Number(readFileSync(path.join(path.dirname(host.sshdPidFile), "lxd.pid"), "utf8").trim())]));
    // when the pids have already wrapped below the daemons (an earlier run set them low), the
    // audits run as they come: their processes are younger than the daemons either way
    const roomBelow = Math.min(...daemonPids.values()) > LOW_PID + 2000;
    for (let round = 1; round <= 3; round++) {
      if (roomBelow) writeFileSync(NEXT_PID, String(LOW_PID));
      const reportFile = path.join(work, `audit-${round}.json`);
      const { io, stderr } = captureIo();
      const code = await runCli(["audit", "baseline", "-i", info.inventoryFile, "-e", "@test/fixtures/baseline/testbed-vars.yml", "--ssh-config", path.join(work, "none"), "--skip-tags", "LXD-GEN-01", "--report", reportFile], io);
      expect([0, 2], stderr()).toContain(code);
      const report = JSON.parse(readFileSync(reportFile, "utf8")) as FleetReport;
      for (const host of report.hosts) {
        const daemonFlags = host.controls.find((control) => control.id === "LXD-LOG-01");
        const where = `${host.name}, audit ${round}`;
        expect(daemonFlags?.message, where).toContain(`pid ${daemonPids.get(host.name)}`);
        expect(String(daemonFlags?.actual), where).toMatch(/running: \S*lxd --(group|logfile)/);
      }
    }
  });
});
