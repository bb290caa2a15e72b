import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import "../../../src/cli/commands/index.js";
import { runCli } from "../../../src/cli/program.js";
import type { FleetReport } from "../../../src/report/types.js";
import { captureIo } from "../../support/capture-io.js";
import { sshOk, testbed, testbedHost } from "../testbed.js";

const info = testbed();
const CORE = "test/fixtures/playbook-run/core.yml";
const work = mkdtempSync(path.join(tmpdir(), "fleet-run-it-"));
/** /tmp is not private to testbed hosts: a log there shows the order hosts ran in. */
const shared = path.join("/tmp", `fleet-run-it-${process.pid}`);

async function fleet(args: string[]): Promise<{ code: number; stdout: string; stderr: string; report: FleetReport }> {
  const reportFile = path.join(work, `report-${Math.random().toString(36).slice(2)}.json`);
  const { io, stdout, stderr } = captureIo();
  const code = await runCli([...args, "-i", info.inventoryFile, "--ssh-config", path.join(work, "no-ssh-config"), "--report", reportFile], io);
  let report: FleetReport;
  try {
    report = JSON.parse(readFileSync(reportFile, "utf8")) as FleetReport;
  } catch {
    throw new Error(`no report (exit ${code}):\n${stdout()}\n${stderr()}`);
  }
  return { code, stdout: stdout(), stderr: stderr(), report };
}

function playbook(name: string, text: string): string {
  const file = path.join(work, name);
  writeFileSync(file, text);
  return file;
}

const taskStatuses = (report: FleetReport, host: string): string[] => report.hosts.find((entry) => entry.name === host)?.tasks.map((task) => `${task.name}:${task.status}`) ?? [];
const everyHost = (): string[] => info.hosts.map((host) => host.name);

async function resetHosts(): Promise<void> {
  await Promise.all(
    info.hosts.map((host) => sshOk(host, "rm -rf /root/fleet-it /etc/tmpfiles.d/fleet.conf /etc/audit/rules.d/fleet-it.rules /etc/sysctl.d/99-fleet.conf; auditctl -D -k fleet_it >/dev/null 2>&1; true")),
  );
  // the testbed hosts share /etc/group: one group, with a member the playbook must remove
  await sshOk(testbedHost("tb1", info), "getent group fleetitg >/dev/null || groupadd fleetitg; gpasswd -a fleetpw fleetitg >/dev/null");
}

describe("fleet run / audit on the testbed", () => {
  beforeAll(async () => {
    await resetHosts();
    rmSync(shared, { recursive: true, force: true });
    mkdirSync(shared);
  });

  it("runs every core module, proves the changes, and a second run changes nothing", async () => {
    const first = await fleet(["run", CORE]);
    expect(first.stderr).not.toMatch(/internal error/);
    expect(first.code, first.stdout).toBe(0);
    expect(first.report.hosts.map((host) => [host.name, host.status])).toEqual(everyHost().map((name) => [name, "changed"]));
    for (const host of first.report.hosts) expect(host.tasks.filter((task) => task.status === "failed"), host.name).toEqual([]);
    // the file really is as the playbook says, on a host
    expect(await sshOk(testbedHost("tb2", info), "stat -c '%a' /root/fleet-it/app.conf; cat /root/fleet-it/extra.conf /root/fleet-it/seen /root/fleet-it/banner.txt")).toBe("600\nlog = warn\nseen\nmanaged by fleet on tb2\n");
    expect(await sshOk(testbedHost("tb2", info), "getent group fleetitg")).toBe("fleetitg:x:" + (await sshOk(testbedHost("tb2", info), "getent group fleetitg | cut -d: -f3")).trim() + ":\n");

    const second = await fleet(["run", CORE]);
    expect(second.code).toBe(0);
    expect(second.report.summary.tasks.changed).toBe(0);
    expect(second.report.summary.tasks.failed).toBe(0);
    expect(second.stdout).toContain("5 hosts: 0 changed, 0 failed, 0 unreachable");
  });

  it("--check on a drifted host reports exactly that drift, changes nothing, and the run then changes the same tasks", async () => {
    const tb2 = testbedHost("tb2", info);
    await sshOk(tb2, "chmod 0644 /root/fleet-it/app.conf && printf 'log = info\\n' > /root/fleet-it/extra.conf");
    const audit = await fleet(["audit", CORE]);
    expect(audit.code).toBe(2);
    const drifted = audit.report.hosts.filter((host) => host.tasks.some((task) => task.status === "changed"));
    expect(drifted.map((host) => host.name)).toEqual(["tb2"]);
    const wouldChange = drifted[0]?.tasks.filter((task) => task.status === "changed").map((task) => task.name);
    // tmpfiles plans against the mode the task before it restores: nothing for it to do
    expect(wouldChange).toEqual(["tighten the copied file", "a line in a file"]);
    expect(await sshOk(tb2, "stat -c '%a' /root/fleet-it/app.conf; cat /root/fleet-it/extra.conf")).toBe("644\nlog = info\n");

    const run = await fleet(["run", CORE]);
    expect(run.code).toBe(0);
    expect(run.report.hosts.find((host) => host.name === "tb2")?.tasks.filter((task) => task.status === "changed").map((task) => task.name)).toEqual(wouldChange);
    expect(run.report.hosts.filter((host) => host.name !== "tb2").every((host) => host.tasks.every((task) => task.status !== "changed"))).toBe(true);
    expect(await sshOk(tb2, "stat -c '%a' /root/fleet-it/app.conf")).toBe("600\n");
  });

  it("a task failing on one host stops that host only", async () => {
    const file = playbook(
      "one-fails.yml",
      ["- hosts: all", "  tasks:", "    - name: not on tb1", "      command: test {{ inventory_hostname }} != tb1", "    - name: after", "      file: { path: /root/fleet-it/after, state: directory }", ""].join("\n"),
    );
    const result = await fleet(["run", file]);
    expect(result.code).toBe(2);
    expect(taskStatuses(result.report, "tb1")).toEqual(["not on tb1:failed"]);
    expect(result.report.hosts.find((host) => host.name === "tb1")?.status).toBe("failed");
    for (const name of everyHost().filter((host) => host !== "tb1")) expect(taskStatuses(result.report, name)).toEqual(["not on tb1:changed", expect.stringMatching(/^after:(changed|ok)$/)]);
  });

  it("serial batches run one after the other", async () => {
    const log = path.join(shared, "serial.log");
    const file = playbook("serial.yml", ["- hosts: all", "  serial: 2", "  tasks:", `    - shell: "sleep 0.3; echo {{ inventory_hostname }} >> ${log}"`, ""].join("\n"));
    expect((await fleet(["run", file])).code).toBe(0);
    const order = readFileSync(log, "utf8").trim().split("\n");
    expect([order.slice(0, 2).sort(), order.slice(2, 4).sort(), order.slice(4)]).toEqual([["tb1", "tb2"], ["tb3", "tbc1"], ["tbc2"]]);
  });

  it("a cluster-scoped task runs once per LXD cluster and its result stands for every member", async () => {
    const log = path.join(shared, "cluster.log");
    const file = playbook("cluster.yml", ["- hosts: all", "  tasks:", "    - name: once per cluster", "      scope: cluster", `      shell: "echo {{ inventory_hostname }} >> ${log}"`, ""].join("\n"));
    const result = await fleet(["run", file]);
    expect(result.code).toBe(0);
    const ran = readFileSync(log, "utf8").trim().split("\n").sort();
    expect(ran.filter((host) => host.startsWith("tbc"))).toHaveLength(1);
    expect(ran.filter((host) => !host.startsWith("tbc"))).toEqual(["tb1", "tb2", "tb3"]);
    const members = result.report.hosts.filter((host) => host.cluster === "cluster1");
    expect(members.map((host) => host.tasks[0]?.status)).toEqual(["changed", "changed"]);
    expect(members.map((host) => host.tasks[0]?.delegatedTo).filter((owner) => owner !== null)).toEqual(ran.filter((host) => host.startsWith("tbc")));
  });

  it("a non-root login with become changes files as root", async () => {
    const extra = path.join(work, "as-fleet.yml");
    writeFileSync(extra, "all:\n  hosts:\n    tb3: { ansible_user: fleet }\n");
    const file = playbook("become.yml", ["- hosts: tb3", "  become: true", "  tasks:", "    - copy: { dest: /root/fleet-it/by-fleet, content: \"x\\n\", mode: \"0600\" }", ""].join("\n"));
    const { io, stdout } = captureIo();
    expect(await runCli(["run", file, "-i", info.inventoryFile, "-i", extra, "--ssh-config", path.join(work, "none")], io), stdout()).toBe(0);
    expect(await sshOk(testbedHost("tb3", info), "stat -c '%U %a' /root/fleet-it/by-fleet")).toBe("root 600\n");
  });

  it("Ctrl-C stops the running commands, prints the recap and exits 99", async () => {
    const file = playbook("slow.yml", ["- hosts: all", "  tasks:", "    - shell: sleep 30", ""].join("\n"));
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "run", file, "-i", info.inventoryFile, "--ssh-config", path.join(work, "none")], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes("PLAY [")) setTimeout(() => child.kill("SIGINT"), 1_500);
    });
    const begun = Date.now();
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(code, stderr).toBe(99);
    expect(Date.now() - begun).toBeLessThan(20_000);
    expect(stderr).toContain("interrupted");
    expect(stdout).toContain("PLAY RECAP");
  });
});
