import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import "../../../src/cli/commands/index.js";
import { runCli } from "../../../src/cli/program.js";
import { hostsOfShard } from "../../../src/inventory/shard.js";
import type { FleetReport } from "../../../src/report/types.js";
import { captureIo } from "../../support/capture-io.js";

const NAMES = ["web01", "web02", "web03", "db01", "db02", "edge"];
const SHARDS = 3;

/** Six local hosts (db01 and db02 in cluster "dbc"), a playbook that writes one file per host. */
function setup(): { dir: string; inventory: string; playbook: string } {
  const dir = mkdtempSync(path.join(tmpdir(), "fleet-shard-cli-"));
  const inventory = path.join(dir, "hosts.yml");
  const host = (name: string): string => `        ${name}: { ansible_connection: local }`;
  writeFileSync(
    inventory,
    [
      "all:",
      "  children:",
      "    dbs:",
      "      vars: { lxd_cluster: dbc }",
      "      hosts:",
      ...["db01", "db02"].map(host),
      "    others:",
      "      hosts:",
      ...NAMES.filter((name) => !name.startsWith("db")).map(host),
      "",
    ].join("\n"),
  );
  const playbook = path.join(dir, "play.yml");
  writeFileSync(playbook, `- hosts: all\n  tasks:\n    - name: mark\n      copy: { dest: "${dir}/{{ inventory_hostname }}", content: "x\\n" }\n`);
  return { dir, inventory, playbook };
}

/** Which shard each host belongs to, from the pure partition. */
const expected = (index: number): string[] =>
  hostsOfShard(NAMES.map((name) => ({ name, cluster: name.startsWith("db") ? "dbc" : null })), { index, count: SHARDS }).map((host) => host.name).sort();

describe("--shard I/N", () => {
  it("fleet run touches only its shard's hosts, reports them and says which shard it is", async () => {
    const { dir, inventory, playbook } = setup();
    const runSoFar: string[] = [];
    for (let index = 1; index <= SHARDS; index++) {
      const { io, stderr } = captureIo();
      const report = path.join(dir, `shard-${index}.json`);
      expect(await runCli(["run", playbook, "-i", inventory, "--shard", `${index}/${SHARDS}`, "--report", report], io)).toBe(0);
      const written = JSON.parse(readFileSync(report, "utf8")) as FleetReport;
      expect(written.shard).toEqual({ index, count: SHARDS });
      expect(written.hosts.map((host) => host.name).sort()).toEqual(expected(index));
      expect(stderr()).toContain(`fleet: shard ${index}/${SHARDS}: ${expected(index).length} of ${NAMES.length} selected hosts`);
      // the files written so far are exactly those of the shards run so far
      runSoFar.push(...expected(index));
      expect(NAMES.filter((name) => existsSync(path.join(dir, name))).sort()).toEqual([...runSoFar].sort());
    }
    expect(runSoFar.sort()).toEqual([...NAMES].sort());
  });

  it("applies after --limit: the shard is taken of the limited hosts", async () => {
    const { inventory } = setup();
    const { io, stdout } = captureIo();
    expect(await runCli(["inventory", "-i", inventory, "--list", "-l", "others", "--shard", `1/${SHARDS}`], io)).toBe(0);
    const listed = Object.keys((JSON.parse(stdout()) as { _meta: { hostvars: Record<string, unknown> } })._meta.hostvars);
    expect(listed.every((name) => !name.startsWith("db") && expected(1).includes(name))).toBe(true);
  });

  it("an empty shard succeeds with an empty report and touches nothing", async () => {
    const { dir, inventory, playbook } = setup();
    // with more shards than placement units, some shard is empty
    const count = 50;
    const units = NAMES.map((name) => ({ name, cluster: name.startsWith("db") ? "dbc" : null }));
    const empty = Array.from({ length: count }, (_, index) => index + 1).find((index) => hostsOfShard(units, { index, count }).length === 0) as number;
    const { io, stderr } = captureIo();
    const report = path.join(dir, "empty.json");
    expect(await runCli(["audit", playbook, "-i", inventory, "--shard", `${empty}/${count}`, "--report", report], io)).toBe(0);
    expect(stderr()).toContain(`fleet: shard ${empty}/${count}: 0 of 6 selected hosts (nothing to do in this shard)`);
    expect((JSON.parse(readFileSync(report, "utf8")) as FleetReport).hosts).toEqual([]);
    expect(NAMES.some((name) => existsSync(path.join(dir, name)))).toBe(false);
  });

  it("a malformed shard is a usage error before any host is touched (exit 5)", async () => {
    const { dir, inventory, playbook } = setup();
    for (const shard of ["0/4", "5/4", "2", "a/b", "1/0", "1/10001"]) {
      const { io, stderr } = captureIo();
      expect(await runCli(["run", playbook, "-i", inventory, "--shard", shard], io), shard).toBe(5);
      expect(stderr()).toContain("[SHARD_BAD_OPTION]");
    }
    const { io } = captureIo();
    expect(await runCli(["exec", "-i", inventory, "--shard", "9/8", "--", "true"], io)).toBe(5);
    expect(NAMES.some((name) => existsSync(path.join(dir, name)))).toBe(false);
  });
});
