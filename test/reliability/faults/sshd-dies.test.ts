/**
 * Fault: a host's sshd listener dies (SIGKILL of the listening process only) while `fleet run` is
 * working there. The session already open is a process of its own and goes on, so that host
 * finishes; the next run finds nothing listening and reports the host unreachable (connection
 * refused) at once; once the listener is started again, a run works and has nothing left to do.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fleet, hostOf } from "../support/fleet-cli.js";
import { leftoverSessionProcesses, sessionProcesses, waitFor } from "../support/processes.js";
import { startThrowawayFleet, type ThrowawayFleet } from "../support/throwaway-sshd.js";

let hosts: ThrowawayFleet;
let work: string;
let playbookFile: string;
let inventory: string;
const SLEEP = "sleep 2.567";

beforeAll(async () => {
  hosts = await startThrowawayFleet("listener", [
    { name: "s1", octet: 31 },
    { name: "s2", octet: 32 },
  ]);
  work = path.join(hosts.dir, "files");
  for (const host of hosts.hosts) mkdirSync(path.join(work, host.name), { recursive: true });
  playbookFile = path.join(hosts.dir, "listener.yml");
  writeFileSync(playbookFile, [
    "- name: the listener dies in the middle",
    "  hosts: all",
    "  tasks:",
    "    - name: write the first file",
    `      copy: { dest: "${work}/{{ inventory_hostname }}/first.txt", content: "first\\n" }`,
    "    - name: take a while",
    `      command: "${SLEEP}"`,
    "      changed_when: false",
    "    - name: write the last file",
    `      copy: { dest: "${work}/{{ inventory_hostname }}/last.txt", content: "last\\n" }`,
    "",
  ].join("\n"));
  inventory = hosts.inventory();
});

afterAll(async () => {
  await hosts?.stop();
});

describe("sshd's listener dies during fleet run", () => {
  it("the running host finishes: its session does not depend on the listener", async () => {
    const victim = hosts.host("s1");
    const running = fleet(["run", playbookFile, "-i", inventory]);
    await waitFor("the sleep on s1", () => (sessionProcesses(victim.address).some((info) => info.cmdline === SLEEP) ? true : undefined), 30_000, 20);
    await victim.killListener();
    expect(victim.sessionSshds()).toEqual([]); // no listener, so none are its children now; the session sshd runs on its own
    const outcome = await running;

    expect(outcome.code, outcome.stdout + outcome.stderr).toBe(0);
    expect(outcome.stdout).toMatch(/2 hosts: 2 changed, 0 failed, 0 unreachable/);
    for (const name of ["s1", "s2"]) {
      expect(hostOf(outcome.report, name).tasks.map((task) => task.status), name).toEqual(["changed", "ok", "changed"]);
      expect(readFileSync(path.join(work, name, "last.txt"), "utf8")).toBe("last\n");
      expect(readdirSync(path.join(work, name)).filter((entry) => entry.startsWith(".fleet-tmp")), name).toEqual([]);
      expect(await leftoverSessionProcesses(hosts.host(name).address, 5_000), name).toEqual([]);
    }
  });

  it("the next run reports it unreachable, connection refused, at once; the other host is fine", async () => {
    const outcome = await fleet(["run", playbookFile, "-i", inventory]);
    expect(outcome.code, outcome.stdout + outcome.stderr).toBe(3);
    // refused is immediate: the run takes the other host's time (one sleep), not a timeout
    expect(outcome.durationMs).toBeLessThan(SLEEP_MS + 4_000);
    expect(outcome.stdout).toMatch(/^s1: UNREACHABLE — (s1: )?connection refused by 127\.0\.6\.31:22$/m);
    expect(outcome.stdout).toMatch(/2 hosts: 0 changed, 0 failed, 1 unreachable/);
    expect(hostOf(outcome.report, "s1")).toMatchObject({ status: "unreachable", error: expect.stringContaining("connection refused by 127.0.6.31:22"), tasks: [] });
    expect(hostOf(outcome.report, "s1").durationMs).toBeLessThan(1_000);
    expect(hostOf(outcome.report, "s2")).toMatchObject({ status: "ok" });
    expect(outcome.report?.summary).toMatchObject({ hosts: 2, unreachable: 1, failed: 0 });
  });

  it("after the listener is restarted, a run reaches it again and has nothing left to change", async () => {
    await hosts.host("s1").start();
    const outcome = await fleet(["run", playbookFile, "-i", inventory]);
    expect(outcome.code, outcome.stdout + outcome.stderr).toBe(0);
    expect(outcome.stdout).toMatch(/2 hosts: 0 changed, 0 failed, 0 unreachable/);
    expect(hostOf(outcome.report, "s1").tasks.map((task) => task.status)).toEqual(["ok", "ok", "ok"]);
    for (const name of ["s1", "s2"]) expect(await leftoverSessionProcesses(hosts.host(name).address, 5_000), name).toEqual([]);
  });
});

const SLEEP_MS = 2_567;
