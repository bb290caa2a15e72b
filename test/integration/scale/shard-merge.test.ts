/**
 * A run split with --shard I/N into parallel fleet processes, merged with `fleet report merge`,
 * equals one unsharded run host by host and control by control: on the testbed (a real LXD
 * cluster, whose members must share a shard) and on a loopback fleet of plain sshd hosts.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BENCH_USER, type LoopbackFleet, startLoopbackFleet } from "../../../bench/exec/loopback-fleet.js";
import type { FleetReport } from "../../../src/report/types.js";
import { startFleet } from "../../reliability/support/fleet-process.js";
import { testbed } from "../testbed.js";

const SHARDS = 4;
const work = mkdtempSync(path.join(tmpdir(), "fleet-shards-"));
const noSshConfig = path.join(work, "no-ssh-config");
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Finished {
  code: number;
  stdout: string;
  stderr: string;
}

async function fleet(args: readonly string[]): Promise<Finished> {
  const process = startFleet(args);
  const code = await process.exited;
  return { code, stdout: process.stdout(), stderr: process.stderr() };
}

const readReport = (file: string): FleetReport => JSON.parse(readFileSync(file, "utf8")) as FleetReport;

/**
 * What may differ between two runs of the same audit: times and durations, and which member of a
 * cluster read a cluster-scoped control for the others (delegatedTo: the first to get there).
 */
function comparable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(comparable);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !["startedAt", "finishedAt", "durationMs", "shard", "delegatedTo"].includes(key))
      .map(([key, inner]) => [key, comparable(inner)]),
  );
}

/** Runs the audit once whole and once as SHARDS parallel processes; returns both reports and the shards'. */
async function auditWholeAndSharded(label: string, auditArgs: readonly string[]): Promise<{ whole: FleetReport; merged: FleetReport; shards: FleetReport[]; shardOutputs: Finished[] }> {
  const wholeFile = path.join(work, `${label}-whole.json`);
  const whole = await fleet([...auditArgs, "--report", wholeFile]);
  expect([0, 2], whole.stderr).toContain(whole.code);
  const shardFiles = Array.from({ length: SHARDS }, (_, index) => path.join(work, `${label}-shard-${index + 1}.json`));
  const shardOutputs = await Promise.all(shardFiles.map((file, index) => fleet([...auditArgs, "--shard", `${index + 1}/${SHARDS}`, "--report", file])));
  for (const output of shardOutputs) expect([0, 2], output.stderr).toContain(output.code);
  const mergedFile = path.join(work, `${label}-merged.json`);
  const merge = await fleet(["report", "merge", ...shardFiles, "-o", mergedFile]);
  expect(merge.code, merge.stderr).toBe(0);
  return { whole: readReport(wholeFile), merged: readReport(mergedFile), shards: shardFiles.map(readReport), shardOutputs };
}

function expectSameAudit(merged: FleetReport, whole: FleetReport): void {
  expect(merged.hosts.map((host) => host.name).sort()).toEqual(whole.hosts.map((host) => host.name).sort());
  const wholeHosts = new Map(whole.hosts.map((host) => [host.name, host]));
  for (const host of merged.hosts) {
    const reference = wholeHosts.get(host.name);
    // control by control, with status, message and evidence
    expect(comparable(host.controls), host.name).toEqual(comparable(reference?.controls));
    expect(comparable(host), host.name).toEqual(comparable(reference));
  }
  expect(merged.controls).toEqual(whole.controls);
  expect(merged.summary).toEqual(whole.summary);
  expect(merged.mode).toBe(whole.mode);
  expect(merged.shard).toBeUndefined();
}

describe("--shard on the testbed (a real LXD cluster)", () => {
  const info = testbed();

  it("splits the baseline audit in 4 parallel processes whose merged report equals one unsharded audit", async () => {
    const args = ["audit", "playbooks/baseline.yml", "-i", info.inventoryFile, "--ssh-config", noSshConfig, "-e", "@test/fixtures/baseline/testbed-vars.yml", "--skip-tags", "LXD-GEN-01"];
    const { whole, merged, shards, shardOutputs } = await auditWholeAndSharded("testbed", args);
    expectSameAudit(merged, whole);
    // every host in exactly one shard, the cluster's members in the same one
    expect(shards.flatMap((shard) => shard.hosts.map((host) => host.name)).sort()).toEqual(info.hosts.map((host) => host.name).sort());
    const clusterShards = new Set(shards.flatMap((shard, index) => (shard.hosts.some((host) => host.cluster === "cluster1") ? [index] : [])));
    expect(clusterShards.size).toBe(1);
    for (const [index, shard] of shards.entries()) {
      expect(shard.shard).toEqual({ index: index + 1, count: SHARDS });
      expect(shardOutputs[index]?.stderr).toContain(`fleet: shard ${index + 1}/${SHARDS}: ${shard.hosts.length} of ${info.hosts.length} selected hosts`);
    }
    // with 5 hosts in 4 shards (the cluster counting as one unit) some shard is empty: it succeeds with an empty report
    const empty = shards.findIndex((shard) => shard.hosts.length === 0);
    expect(empty).toBeGreaterThanOrEqual(0);
    expect(shardOutputs[empty]?.code).toBe(0);
    expect(shards[empty]?.summary.hosts).toBe(0);
  });

  it("fleet inventory --list --shard lists the hosts that shard runs on", async () => {
    const listed: string[][] = [];
    for (let index = 1; index <= SHARDS; index++) {
      const output = await fleet(["inventory", "-i", info.inventoryFile, "--list", "--shard", `${index}/${SHARDS}`]);
      expect(output.code, output.stderr).toBe(0);
      const list = JSON.parse(output.stdout) as { _meta: { hostvars: Record<string, unknown> } };
      listed.push(Object.keys(list._meta.hostvars).sort());
    }
    expect(listed.flat().sort()).toEqual(info.hosts.map((host) => host.name).sort());
    const report = readReport(path.join(work, "testbed-shard-2.json"));
    expect(listed[1]).toEqual(report.hosts.map((host) => host.name).sort());
  });

  it("refuses to merge a set of shard reports with one missing, naming it", async () => {
    const files = [1, 2, 3].map((index) => path.join(work, `testbed-shard-${index}.json`));
    const merge = await fleet(["report", "merge", ...files, "-o", path.join(work, "partial.json")]);
    expect(merge.code).toBe(5);
    expect(merge.stderr).toContain(`shard 4/${SHARDS} is missing [REPORT_MERGE_SHARDS]`);
  });
});

describe("--shard on a loopback fleet of 24 sshd hosts", () => {
  const HOSTS = 24;
  const sudoers = "/etc/sudoers.d/fleet-shard-test";
  let loopback: LoopbackFleet;
  let inventory: string;
  // three clusters of four members, and twelve standalone hosts
  const clusterOf = (index: number): string | null => (index < 12 ? `c${Math.floor(index / 4) + 1}` : null);

  beforeAll(async () => {
    // sshd reads the authorized keys as the bench account, which must get through the work directory
    chmodSync(work, 0o755);
    loopback = await startLoopbackFleet(HOSTS, path.join(work, "loopback"));
    // the baseline reads as root
    writeFileSync(sudoers, `${BENCH_USER} ALL=(ALL) NOPASSWD: ALL\n`, { mode: 0o440 });
    inventory = path.join(work, "loopback.yml");
    // a cluster is a group with lxd_cluster set (docs/inventory.md)
    const hostLine = (index: number): string => `        s${index + 1}: { ansible_host: ${loopback.addresses[index]} }`;
    const indexes = loopback.addresses.map((_, index) => index);
    const clusters = ["c1", "c2", "c3"].map((name) => `    ${name}:\n      vars: { lxd_cluster: ${name} }\n      hosts:\n${indexes.filter((index) => clusterOf(index) === name).map(hostLine).join("\n")}`);
    const standalone = `    standalone:\n      hosts:\n${indexes.filter((index) => clusterOf(index) === null).map(hostLine).join("\n")}`;
    writeFileSync(inventory, `all:\n  vars:\n    ansible_user: ${BENCH_USER}\n    ansible_ssh_private_key_file: ${loopback.clientKey}\n    fleet_known_hosts: ${loopback.knownHosts}\n  children:\n${[...clusters, standalone].join("\n")}\n`);
  });
  afterAll(async () => {
    rmSync(sudoers, { force: true });
    await loopback?.stop();
  });

  it("merges 4 parallel shards into the report of one unsharded audit, every cluster in one shard", async () => {
    const args = ["audit", "playbooks/baseline.yml", "-i", inventory, "--ssh-config", noSshConfig, "-f", String(HOSTS), "--skip-tags", "LXD-GEN-01"];
    const { whole, merged, shards } = await auditWholeAndSharded("loopback", args);
    expect(whole.hosts.length).toBe(HOSTS);
    expect(whole.summary.unreachable, JSON.stringify(whole.hosts[0]?.error)).toBe(0);
    expectSameAudit(merged, whole);
    for (const cluster of ["c1", "c2", "c3"]) {
      const holding = shards.filter((shard) => shard.hosts.some((host) => host.cluster === cluster));
      expect(holding.length, cluster).toBe(1);
      expect(holding[0]?.hosts.filter((host) => host.cluster === cluster).length, cluster).toBe(4);
    }
    // the standalone hosts spread over more than one shard
    expect(shards.filter((shard) => shard.hosts.some((host) => host.cluster === null)).length).toBeGreaterThan(1);
  });
});
