/** Starting, probing and stopping testbed host processes. */
import { spawn } from "node:child_process";
import { existsSync, openSync, closeSync, readFileSync, readdirSync, readlinkSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import type { TestbedHost } from "./layout.js";
import { sleep } from "./run.js";

export function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return undefined;
  }
}

/** True when the process no longer exists or is a zombie waiting to be reaped. */
function isGone(pid: number): boolean {
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true;
  }
}

/** The pid from the file, if that process is alive and is still the one we started (pids get reused). */
export function livePid(pidFile: string, mustMention: string): number | undefined {
  const pid = readPid(pidFile);
  if (pid === undefined) return undefined;
  const cmdline = commandLine(pid);
  if (cmdline === undefined || !cmdline.includes(mustMention) || isGone(pid)) return undefined;
  return pid;
}

export function sshdPid(host: TestbedHost): number | undefined {
  return livePid(host.sshdPidFile, host.sshdConfig);
}

export function lxdPid(host: TestbedHost): number | undefined {
  return livePid(host.lxdPidFile, host.lxdLog);
}

/** Boot the host: a new session, private mount and UTS (hostname) namespaces, its boot script. */
export function startHost(host: TestbedHost): void {
  const logFd = openSync(host.bootLog, "a");
  try {
    const child = spawn("unshare", ["--mount", "--uts", "--propagation", "private", "/bin/sh", host.bootScript], {
      detached: true,
      stdio: ["ignore", logFd, logFd],
    });
    child.unref();
  } finally {
    closeSync(logFd);
  }
}

export function portOpen(address: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: address, port, timeout: timeoutMs });
    const finish = (open: boolean): void => {
      socket.destroy();
      resolve(open);
    };
    socket.once("connect", () => finish(true));
    socket.once("timeout", () => finish(false));
    socket.once("error", () => finish(false));
  });
}

export async function waitForSshd(host: TestbedHost, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const pid = sshdPid(host);
    if (pid !== undefined && (await portOpen(host.address, host.port))) return pid;
    await sleep(100);
  }
  const log = existsSync(host.bootLog) ? readFileSync(host.bootLog, "utf8").trim().split("\n").slice(-5).join("\n") : "";
  throw new Error(`${host.name}: sshd did not come up on ${host.address}:${host.port} within ${timeoutMs} ms\n${log}`);
}

function mountNamespace(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/mnt`);
  } catch {
    return undefined;
  }
}

/**
 * Every process that belongs to the testbed under stateDir: those living in a mount namespace of
 * one of its hosts (sshd, its sessions, lxd and lxd's helpers) and any process whose command line
 * names the state directory (left over by a run that crashed after losing its pid files).
 */
export function testbedProcesses(stateDir: string, leaderPids: readonly number[]): number[] {
  const ownNamespace = mountNamespace(process.pid);
  const namespaces = new Set(
    leaderPids.map(mountNamespace).filter((ns): ns is string => ns !== undefined && ns !== ownNamespace),
  );
  // with the separator, so that tb1's directory does not also match tb10's
  const insideDir = stateDir.endsWith(path.sep) ? stateDir : `${stateDir}${path.sep}`;
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid || isGone(pid)) continue;
    const ns = mountNamespace(pid);
    if ((ns !== undefined && namespaces.has(ns)) || commandLine(pid)?.includes(insideDir)) found.push(pid);
  }
  return found;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** SIGTERM, then SIGKILL whatever is still there after graceMs. Resolves when all are gone. */
export async function terminate(pids: readonly number[], graceMs: number): Promise<void> {
  for (const pid of pids) signal(pid, "SIGCONT"); // a stopped process cannot act on SIGTERM
  for (const pid of pids) signal(pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  let alive = pids.filter((pid) => !isGone(pid));
  while (alive.length > 0 && Date.now() < deadline) {
    await sleep(100);
    alive = alive.filter((pid) => !isGone(pid));
  }
  for (const pid of alive) signal(pid, "SIGKILL");
  while (alive.length > 0) {
    await sleep(50);
    alive = alive.filter((pid) => !isGone(pid));
  }
}
