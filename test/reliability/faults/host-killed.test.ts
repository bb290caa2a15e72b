/**
 * Fault: a host's sshd is killed (SIGKILL of the listener and its session processes) while
 * `fleet run` is applying a change there. That host must end unreachable with a message naming it,
 * the others must finish, the exit code is 3 (unreachable, nothing failed) and the report says so.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fleet, hostOf, type FleetOutcome } from "../support/fleet-cli.js";
import { leftoverSessionProcesses, sessionProcesses, waitFor } from "../support/processes.js";
import { startThrowawayFleet, type ThrowawayFleet } from "../support/throwaway-sshd.js";

let hosts: ThrowawayFleet;
let work: string;
/** The run during which k2 was killed. */
let killedRun: FleetOutcome | undefined;

beforeAll(async () => {
  hosts = await startThrowawayFleet("killed", [
    { name: "k1", octet: 11 },
    { name: "k2", octet: 12 },
    { name: "k3", octet: 13 },
  ]);
  work = path.join(hosts.dir, "files");
  for (const host of hosts.hosts) mkdirSync(path.join(work, host.name), { recursive: true });
});

afterAll(async () => {
  await hosts?.stop();
});

/** A sleep whose argument no other process on this machine has, so pgrep-like checks find only ours. */
const SLEEP = "sleep 4.123";

function playbook(): string {
  const file = path.join(hosts.dir, "killed.yml");
  writeFileSync(file, [
    "- name: a host dies in the middle",
    "  hosts: all",
    "  tasks:",
    "    - name: write the first file",
    `      copy: { dest: "${work}/{{ inventory_hostname }}/first.txt", content: "first\\n" }`,
    "    - name: take a while",
    `      command: "${SLEEP}"`,
    "    - name: write the last file",
    `      copy: { dest: "${work}/{{ inventory_hostname }}/last.txt", content: "last\\n" }`,
    "",
  ].join("\n"));
  return file;
}

describe("a host killed in the middle of fleet run", () => {
  it("reports that host unreachable by name, finishes the others, exits 3 and writes the report", async () => {
    const victim = hosts.host("k2");
    const running = fleet(["run", playbook(), "-i", hosts.inventory()]);
    // kill it while its apply script sleeps in the second task
    await waitFor("the sleep on k2", () => (sessionProcesses(victim.address).some((info) => info.cmdline === SLEEP) ? true : undefined), 30_000);
    const killedAt = Date.now();
    await victim.killSshd();
    const outcome = await running;
    killedRun = outcome;

    expect(outcome.code, outcome.stdout + outcome.stderr).toBe(3);
    // it noticed at once (the TCP connection closed), not after a keepalive timeout
    expect(Date.now() - killedAt).toBeLessThan(8_000);
    expect(outcome.stdout).toMatch(/^k2: UNREACHABLE — .*connection (broke|closed|lost|is gone)/m);
    expect(outcome.stdout).toMatch(/3 hosts: 2 changed, 0 failed, 1 unreachable/);
    expect(outcome.stderr).not.toMatch(/internal error/);

    const report = outcome.report;
    expect(report?.summary).toMatchObject({ hosts: 3, unreachable: 1, failed: 0 });
    expect(hostOf(report, "k2")).toMatchObject({ status: "unreachable", error: expect.stringMatching(/connection/) });
    for (const name of ["k1", "k3"]) {
      const host = hostOf(report, name);
      expect(host.status, name).toBe("changed");
      expect(host.tasks.map((task) => task.status), name).toEqual(["changed", "changed", "changed"]);
    }

    // what is left on the hosts: the others are complete; on k2 the first change was made (atomically)
    for (const name of ["k1", "k3"]) {
      expect(readFileSync(path.join(work, name, "first.txt"), "utf8")).toBe("first\n");
      expect(readFileSync(path.join(work, name, "last.txt"), "utf8")).toBe("last\n");
    }
    expect(readFileSync(path.join(work, "k2", "first.txt"), "utf8")).toBe("first\n");
    // the commands of a session whose sshd died run on until they next write to the dead connection:
    // the sleep ends, its script dies of SIGPIPE at the next marker, and the third task never runs
    expect(await leftoverSessionProcesses(victim.address, 10_000)).toEqual([]);
    expect(existsSync(path.join(work, "k2", "last.txt"))).toBe(false);
    for (const host of hosts.hosts) expect(readdirSync(path.join(work, host.name)).filter((entry) => entry.startsWith(".fleet-tmp")), host.name).toEqual([]);
    for (const name of ["k1", "k3"]) expect(await leftoverSessionProcesses(hosts.host(name).address, 5_000), name).toEqual([]);
  });

  // The connection broke inside k2's apply script, after the first task's section had ended (its end
  // marker had arrived) and its file was written, but the report and the recap say nothing ran on k2
  // (tasks: [], 0 changed): the change fleet made there is not recorded anywhere. The transport drops
  // the output of a command whose connection broke (src/transport/ssh.ts throws connection-lost
  // without it) and the engine records no task of a round trip that threw (src/engine/host-run.ts).
  // Expected: the tasks whose sections completed are reported as changed (not verified), the host
  // unreachable, so the operator knows what the host holds now.
  it("the report records the change made on the host before it died", () => {
    const k2 = hostOf(killedRun?.report, "k2");
    expect(k2.tasks.find((task) => task.name === "write the first file")?.status).toBe("changed");
  });

  it("a new run reports the dead host unreachable (connection refused) within a second or two", async () => {
    const outcome = await fleet(["run", playbook(), "-i", hosts.inventory(), "-l", "k2"]);
    expect(outcome.code).toBe(3);
    expect(outcome.durationMs).toBeLessThan(5_000);
    expect(outcome.stdout).toMatch(/^k2: UNREACHABLE — (k2: )?connection refused by 127\.0\.6\.12:22$/m);
    expect(hostOf(outcome.report, "k2")).toMatchObject({ status: "unreachable", error: expect.stringContaining("connection refused by 127.0.6.12:22") });
  });
});
