/** The testbed's three verbs: up (idempotent), down (leaves nothing behind), status. */
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ensureClientKey, writeHostFiles } from "./host-files.js";
import { writeInventory, writeKnownHosts } from "./inventory-file.js";
import { DEFAULT_STATE_DIR, DEFAULT_SUBNET, planLayout, type TestbedHost, type TestbedLayout, type TestbedSize } from "./layout.js";
import { clusterIsHealthy, clusterStatus, formCluster, provisionStandalone, type ClusterMember } from "./lxd.js";
import { ensurePrerequisites } from "./prerequisites.js";
import { lxdPid, portOpen, readPid, sshdPid, startHost, terminate, testbedProcesses, waitForSshd } from "./processes.js";

export type Logger = (line: string) => void;

const SSHD_START_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 10_000;

/** A host is healthy when both its sshd and its LXD daemon are the processes we started. */
function isRunning(host: TestbedHost): boolean {
  return sshdPid(host) !== undefined && lxdPid(host) !== undefined;
}

async function stopHost(host: TestbedHost): Promise<void> {
  const leader = readPid(host.sshdPidFile);
  await terminate(testbedProcesses(host.dir, leader === undefined ? [] : [leader]), STOP_GRACE_MS);
}

async function bootHost(layout: TestbedLayout, host: TestbedHost): Promise<number> {
  await writeHostFiles(layout, host);
  startHost(host);
  return waitForSshd(host, SSHD_START_TIMEOUT_MS);
}

async function ensureHostRunning(layout: TestbedLayout, host: TestbedHost, log: Logger): Promise<{ pid: number; started: boolean }> {
  const running = sshdPid(host);
  if (running !== undefined && lxdPid(host) !== undefined) return { pid: running, started: false };
  if (running !== undefined || existsSync(host.sshdPidFile)) {
    log(`  ${host.name}: half running, restarting it`);
    await stopHost(host);
  }
  if (await portOpen(host.address, host.port)) {
    throw new Error(`${host.address}:${host.port} is already taken by a process that is not this testbed's ${host.name}; stop it or run testbed:down`);
  }
  return { pid: await bootHost(layout, host), started: true };
}

/** Hosts of the state directory that the requested size no longer includes. */
function surplusHostDirs(layout: TestbedLayout): string[] {
  const hostsDir = path.join(layout.stateDir, "hosts");
  if (!existsSync(hostsDir)) return [];
  const wanted = new Set(layout.hosts.map((host) => host.name));
  return readdirSync(hostsDir).filter((name) => !wanted.has(name));
}

export interface UpOptions {
  size: TestbedSize;
  stateDir?: string;
  subnet?: number;
}

export interface UpResult {
  layout: TestbedLayout;
  /** Hosts that had to be (re)started; empty when the testbed was already up. */
  started: string[];
  seconds: number;
}

/** What `up` recorded, so that status and the tests can rebuild the layout. */
interface SavedShape {
  size: TestbedSize;
  subnet: number;
}

function shapeFile(stateDir: string): string {
  return path.join(stateDir, "testbed.json");
}

export function savedLayout(stateDir: string = DEFAULT_STATE_DIR): TestbedLayout | undefined {
  if (!existsSync(shapeFile(stateDir))) return undefined;
  const shape = JSON.parse(readFileSync(shapeFile(stateDir), "utf8")) as SavedShape;
  return planLayout(shape.size, stateDir, shape.subnet);
}

export async function up(options: UpOptions, log: Logger): Promise<UpResult> {
  const startedAt = Date.now();
  const stateDir = options.stateDir ?? DEFAULT_STATE_DIR;
  const subnet = options.subnet ?? DEFAULT_SUBNET;
  const layout = planLayout(options.size, stateDir, subnet);
  const started: string[] = [];
  await ensurePrerequisites(log);
  if (!existsSync(shapeFile(stateDir))) {
    // No record of a testbed here, yet processes may still name this state directory: the
    // directory was deleted under a running testbed. They hold the addresses; clear them first.
    const leftovers = testbedProcesses(stateDir, []);
    if (leftovers.length > 0) {
      log(`  stopping ${leftovers.length} leftover processes of a testbed whose state was deleted`);
      await terminate(leftovers, STOP_GRACE_MS);
    }
  }
  await ensureClientKey(layout);
  writeFileSync(shapeFile(stateDir), JSON.stringify({ size: options.size, subnet } satisfies SavedShape));
  for (const name of surplusHostDirs(layout)) {
    log(`  removing ${name} (not part of the requested size)`);
    const dir = path.join(layout.stateDir, "hosts", name);
    await terminate(testbedProcesses(dir, []), STOP_GRACE_MS);
    rmSync(dir, { recursive: true, force: true });
  }

  const members = layout.hosts.filter((host) => host.role === "cluster");
  const clusterReady = ensureCluster(layout, members, log).then((booted) => started.push(...booted));
  const standalone = layout.hosts.filter((host) => host.role === "standalone");
  const standaloneReady = Promise.all(
    standalone.map(async (host) => {
      const { pid, started: booted } = await ensureHostRunning(layout, host, log);
      if (booted) started.push(host.name);
      await provisionStandalone(pid);
      log(`  ${host.name}: ${booted ? "started" : "already running"} on ${host.address}:${host.port} (sshd pid ${pid})`);
    }),
  );
  await Promise.all([clusterReady, standaloneReady]);

  writeKnownHosts(layout);
  writeInventory(layout);
  const seconds = (Date.now() - startedAt) / 1000;
  log(`testbed up: ${layout.hosts.length} hosts (${started.length} started) in ${seconds.toFixed(1)} s`);
  log(`inventory: ${layout.inventoryFile}`);
  return { layout, started, seconds };
}

/**
 * Brings the cluster members up and forms the cluster. A cluster that is not whole and healthy
 * (for example after a run crashed while forming it) is wiped and formed again: partial cluster
 * state cannot be repaired reliably.
 */
async function ensureCluster(layout: TestbedLayout, members: readonly TestbedHost[], log: Logger): Promise<string[]> {
  if (members.length === 0) return [];
  if (members.every(isRunning)) {
    const running = members.map((host) => ({ host, pid: sshdPid(host) ?? 0 }));
    if (await clusterIsHealthy(running)) {
      log(`  ${layout.clusterName}: already formed (${members.map((host) => host.name).join(", ")})`);
      return [];
    }
  }
  for (const host of members) {
    await stopHost(host);
    rmSync(host.dir, { recursive: true, force: true });
  }
  const booted: ClusterMember[] = await Promise.all(
    members.map(async (host) => ({ host, pid: (await ensureHostRunning(layout, host, log)).pid })),
  );
  await formCluster(booted, log);
  log(`  ${layout.clusterName}: formed with ${members.map((host) => host.name).join(", ")}`);
  return members.map((host) => host.name);
}

/** Stops every process the testbed started and removes its state. Safe to run at any time. */
export async function down(log: Logger, stateDir: string = DEFAULT_STATE_DIR): Promise<void> {
  const hostsDir = path.join(stateDir, "hosts");
  const leaders = existsSync(hostsDir)
    ? readdirSync(hostsDir)
        .map((name) => readPid(path.join(hostsDir, name, "sshd.pid")))
        .filter((pid): pid is number => pid !== undefined)
    : [];
  const pids = testbedProcesses(stateDir, leaders);
  await terminate(pids, STOP_GRACE_MS);
  rmSync(stateDir, { recursive: true, force: true });
  log(`testbed down: stopped ${pids.length} processes, removed ${stateDir}`);
}

export interface HostStatus {
  name: string;
  address: string;
  /** How LXD looks installed to fleet: Debian's package, or the (stood-in) snap. */
  install: "deb" | "snap";
  sshd: "running" | "stopped";
  lxd: "running" | "stopped";
  reachable: boolean;
  cluster: string;
}

export async function status(stateDir: string = DEFAULT_STATE_DIR): Promise<HostStatus[]> {
  const layout = savedLayout(stateDir);
  if (layout === undefined) return [];
  const firstMember = layout.hosts.find((host) => host.role === "cluster");
  const firstMemberPid = firstMember === undefined ? undefined : sshdPid(firstMember);
  const members = firstMemberPid === undefined ? new Map<string, string>() : await clusterStatus(firstMemberPid);
  return Promise.all(
    layout.hosts.map(async (host) => ({
      name: host.name,
      address: `${host.address}:${host.port}`,
      install: host.install,
      sshd: sshdPid(host) === undefined ? "stopped" : "running",
      lxd: lxdPid(host) === undefined ? "stopped" : "running",
      reachable: await portOpen(host.address, host.port),
      cluster: host.role === "cluster" ? (members.get(host.name) ?? "not a member") : "-",
    })),
  );
}
