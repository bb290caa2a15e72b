/**
 * Interrupts on the testbed, with fleet as a real process: SIGINT, SIGTERM and SIGHUP during
 * `fleet exec` and `fleet run` (for root logins, and sudo with and without a password), a second
 * Ctrl-C, and Ctrl-C at the -K prompt. Each case asserts the exit code, what fleet printed and
 * wrote, and that nothing fleet started is left running on any host.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { passwordSudoAccount, testbed } from "../integration/testbed.js";
import { processesMatching, startFleet, uniqueSleep, waitFor } from "./support/fleet-process.js";

const info = testbed();
const HOSTS = info.hosts.length;
const work = mkdtempSync(path.join(tmpdir(), "fleet-interrupts-"));
const noSshConfig = path.join(work, "no-ssh-config");
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The testbed inventory with another login account. */
function inventoryAs(user: string): string {
  const file = path.join(work, `inventory-${user}.yml`);
  writeFileSync(file, readFileSync(info.inventoryFile, "utf8").replaceAll("ansible_user: root", `ansible_user: ${user}`));
  return file;
}

/** Waits until nothing matching `needle` runs, up to a few seconds (a killed process takes a moment to be reaped). */
async function nothingLeft(needle: string): Promise<string[]> {
  await waitFor(`no process running ${needle}`, () => processesMatching(needle).length === 0, 5_000).catch(() => {});
  return processesMatching(needle);
}

interface ExecJson {
  interrupted: boolean;
  summary: { hosts: number; interrupted: number };
  hosts: { name: string; status: string; code: string | null }[];
}

describe("interrupting fleet exec", () => {
  // every login/become combination: root, root through sudo, a plain user, sudo without and with a password
  const cases: { signal: NodeJS.Signals; user: string; become: boolean; env: NodeJS.ProcessEnv }[] = [
    { signal: "SIGINT", user: "root", become: false, env: {} },
    { signal: "SIGINT", user: "root", become: true, env: {} },
    { signal: "SIGTERM", user: "fleet", become: false, env: {} },
    { signal: "SIGTERM", user: "fleet", become: true, env: {} },
    { signal: "SIGHUP", user: "fleetpw", become: true, env: { FLEET_BECOME_PASSWORD: passwordSudoAccount().password } },
  ];
  for (const { signal, user, become: viaSudo, env } of cases) {
    it(`${signal} with login ${user}${viaSudo ? " and -b" : ""}: kills every remote command, prints the results, exits 99`, async () => {
      const sleep = uniqueSleep();
      const become = viaSudo ? ["-b"] : [];
      const fleet = startFleet(["exec", "-i", inventoryAs(user), "--ssh-config", noSshConfig, ...become, "--json", "--", sleep], { env });
      await waitFor(`${sleep} on every host`, () => processesMatching(sleep).filter((line) => !line.includes("sudo")).length >= HOSTS);
      const begun = Date.now();
      fleet.child.kill(signal);
      expect(await fleet.exited).toBe(99);
      expect(Date.now() - begun).toBeLessThan(8_000);
      expect(await nothingLeft(sleep)).toEqual([]);
      const document = JSON.parse(fleet.stdout()) as ExecJson;
      expect(document.interrupted).toBe(true);
      expect(document.summary).toMatchObject({ hosts: HOSTS, interrupted: HOSTS });
      expect(document.hosts.map((host) => [host.status, host.code])).toEqual(info.hosts.map(() => ["interrupted", "RUN_INTERRUPTED"]));
      expect(fleet.stderr()).toContain(signal === "SIGINT" ? "fleet: interrupted: killing the running commands" : `fleet: ${signal} received: killing the running commands`);
    });
  }

  it("a second Ctrl-C quits at once", async () => {
    const sleep = uniqueSleep();
    const fleet = startFleet(["exec", "-i", info.inventoryFile, "--ssh-config", noSshConfig, "--", sleep]);
    await waitFor(`${sleep} on every host`, () => processesMatching(sleep).length >= HOSTS);
    fleet.child.kill("SIGINT");
    fleet.child.kill("SIGINT");
    expect(await fleet.exited).toBe(99);
    // the first Ctrl-C's kills were already on their way
    await nothingLeft(sleep);
  });

  it("Ctrl-C at the -K prompt exits 99 and starts nothing", async () => {
    const sleep = uniqueSleep();
    const argv = [process.execPath, "--import", "tsx", "src/cli/main.ts", "exec", "-i", inventoryAs("fleetpw"), "--ssh-config", noSshConfig, "-K", "-b", "--", sleep];
    // `script` gives fleet a terminal, as an operator's shell would
    const fleet = startFleet([], { command: ["script", "-qec", argv.map((word) => `'${word}'`).join(" "), "/dev/null"] });
    await waitFor("the password prompt", () => fleet.stdout().includes("BECOME password:"), 60_000).catch((error: unknown) => {
      throw new Error(`${String(error)}; fleet printed: ${JSON.stringify(fleet.stdout())} ${JSON.stringify(fleet.stderr())}`);
    });
    fleet.child.stdin?.write("\u0003");
    expect(await fleet.exited).toBe(99);
    expect(fleet.stdout()).toContain("interrupted at the prompt; nothing was started");
    expect(processesMatching(sleep)).toEqual([]);
  });
});

describe("interrupting fleet run", () => {
  it("while facts are read: changes nothing, reports the hosts interrupted", async () => {
    const sleep = uniqueSleep();
    const tag = `${path.basename(work)}-facts`;
    const playbook = path.join(work, "facts.yml");
    writeFileSync(
      playbook,
      [
        "- name: interrupt me while reading",
        "  hosts: all",
        "  tasks:",
        "    - name: read slowly",
        `      command: ${sleep}`,
        "      changed_when: false",
        "    - name: never written",
        `      copy: { dest: "/tmp/${tag}-{{ inventory_hostname }}", content: "never\\n" }`,
        "",
      ].join("\n"),
    );
    const report = path.join(work, "facts.json");
    const fleet = startFleet(["run", playbook, "-i", info.inventoryFile, "--ssh-config", noSshConfig, "--report", report]);
    try {
      await waitFor(`${sleep} on every host`, () => processesMatching(sleep).length >= HOSTS);
      fleet.child.kill("SIGTERM");
      expect(await fleet.exited).toBe(99);
      expect(await nothingLeft(sleep)).toEqual([]);
      const written = JSON.parse(readFileSync(report, "utf8")) as { interrupted: boolean; hosts: { name: string; interrupted: boolean; tasks: unknown[]; error: string }[] };
      expect(written.interrupted).toBe(true);
      for (const host of written.hosts) {
        expect(host).toMatchObject({ interrupted: true, tasks: [] });
        expect(host.error).toMatch(/interrupted while reading the host's state/);
        expect(existsSync(`/tmp/${tag}-${host.name}`)).toBe(false);
      }
    } finally {
      fleet.child.kill("SIGKILL");
      for (const host of info.hosts) rmSync(`/tmp/${tag}-${host.name}`, { force: true });
    }
  });

  it("fleet audit of the baseline: exits 99 and writes a report whose unjudged controls say why", async () => {
    const report = path.join(work, "baseline.json");
    const fleet = startFleet(["audit", "playbooks/baseline.yml", "-i", info.inventoryFile, "--ssh-config", noSshConfig, "-e", "@test/fixtures/baseline/testbed-vars.yml", "--report", report]);
    await waitFor("the audit to reach the hosts", () => fleet.stderr().includes("PLAY ["));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    fleet.child.kill("SIGINT");
    expect(await fleet.exited).toBe(99);
    const written = JSON.parse(readFileSync(report, "utf8")) as { interrupted: boolean; hosts: { interrupted: boolean; controls: { status: string; message: string }[] }[] };
    expect(written.interrupted).toBe(true);
    expect(written.hosts.length).toBe(HOSTS);
    const unjudged = written.hosts.flatMap((host) => host.controls.filter((control) => control.message.startsWith("not judged")));
    expect(unjudged.length).toBeGreaterThan(0);
    for (const control of unjudged) expect(control).toMatchObject({ status: "error", message: "not judged: the run was interrupted" });
    expect(await nothingLeft("apt list")).toEqual([]);
  });

  for (const user of ["root", "fleet"]) it(`during the apply (login ${user}${user === "root" ? "" : ", become"}): kills the command, records what was done, writes the report marked interrupted`, async () => {
    const sleep = uniqueSleep();
    const tag = `${path.basename(work)}-${user}`;
    const files = (host: string, step: string): string => `/tmp/${tag}-${host}-${step}`;
    const playbook = path.join(work, `slow-${user}.yml`);
    writeFileSync(
      playbook,
      [
        "- name: interrupt me",
        "  hosts: all",
        `  become: ${user === "root" ? "false" : "true"}`,
        "  tasks:",
        "    - name: before",
        `      copy: { dest: "/tmp/${tag}-{{ inventory_hostname }}-before", content: "done\\n" }`,
        "    - name: slow",
        `      shell: "touch /tmp/${tag}-{{ inventory_hostname }}-started; ${sleep}; touch /tmp/${tag}-{{ inventory_hostname }}-slept"`,
        "    - name: after",
        `      copy: { dest: "/tmp/${tag}-{{ inventory_hostname }}-after", content: "never\\n" }`,
        "",
      ].join("\n"),
    );
    const report = path.join(work, `interrupted-${user}.json`);
    const fleet = startFleet(["run", playbook, "-i", inventoryAs(user), "--ssh-config", noSshConfig, "--report", report]);
    try {
      await waitFor(`${sleep} on every host`, () => processesMatching(sleep).length >= HOSTS);
      fleet.child.kill("SIGINT");
      expect(await fleet.exited).toBe(99);
      expect(await nothingLeft(sleep), `fleet printed:\n${fleet.stdout()}\n${fleet.stderr()}`).toEqual([]);
      expect(fleet.stdout()).toMatch(/PLAY RECAP/);
      expect(fleet.stdout()).toMatch(/│ interrupted │/);
      expect(fleet.stdout()).toMatch(/tb1: INTERRUPTED — interrupted: the tasks after this point did not run/);
      const written = JSON.parse(readFileSync(report, "utf8")) as { interrupted: boolean; hosts: { name: string; interrupted: boolean; tasks: { name: string; status: string; message: string }[] }[] };
      expect(written.interrupted).toBe(true);
      for (const host of written.hosts) {
        expect(host.interrupted).toBe(true);
        expect(host.tasks.map((task) => `${task.name}:${task.status}`)).toEqual(["before:changed", "slow:failed"]);
        expect(host.tasks[1]?.message).toMatch(/^interrupted while applying/);
        expect(existsSync(files(host.name, "before"))).toBe(true);
        expect(existsSync(files(host.name, "started"))).toBe(true);
        expect(existsSync(files(host.name, "slept"))).toBe(false);
        expect(existsSync(files(host.name, "after"))).toBe(false);
      }
    } finally {
      fleet.child.kill("SIGKILL");
      for (const host of info.hosts) for (const step of ["before", "started", "slept", "after"]) rmSync(files(host.name, step), { force: true });
    }
  });
});
