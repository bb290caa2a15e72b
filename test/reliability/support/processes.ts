/**
 * Looking at processes through /proc: a process's parent, command line and environment, the tree
 * under a pid, and the processes an sshd session started for a given address (by the
 * SSH_CONNECTION variable sshd puts in every session's environment, which no other process has).
 */
import { readFileSync, readdirSync } from "node:fs";

export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** Command line, NULs as spaces. */
  cmdline: string;
  /** R, S, T (stopped), Z, ... */
  state: string;
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

export function processInfo(pid: number): ProcessInfo | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so parse after the last ")"
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const cmdline = (readText(`/proc/${pid}/cmdline`) ?? "").replaceAll("\0", " ").trim();
  return { pid, ppid: Number(fields[1]), state: fields[0] ?? "?", cmdline };
}

export function allPids(): number[] {
  return readdirSync("/proc").filter((name) => /^\d+$/.test(name)).map(Number);
}

export function allProcesses(): ProcessInfo[] {
  return allPids().map(processInfo).filter((info): info is ProcessInfo => info !== undefined);
}

/** Every process below pid (not pid itself), parents before children. */
export function descendants(pid: number, processes: readonly ProcessInfo[] = allProcesses()): ProcessInfo[] {
  const children = new Map<number, ProcessInfo[]>();
  for (const info of processes) children.set(info.ppid, [...(children.get(info.ppid) ?? []), info]);
  const found: ProcessInfo[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.shift() as number;
    for (const child of children.get(next) ?? []) {
      found.push(child);
      queue.push(child.pid);
    }
  }
  return found;
}

export const isAlive = (pid: number): boolean => {
  const info = processInfo(pid);
  return info !== undefined && info.state !== "Z";
};

/** The value of one environment variable of a process, if readable. */
export function environmentOf(pid: number, name: string): string | undefined {
  const environ = readText(`/proc/${pid}/environ`);
  if (environ === undefined) return undefined;
  const prefix = `${name}=`;
  return environ.split("\0").find((entry) => entry.startsWith(prefix))?.slice(prefix.length);
}

/**
 * The live processes that an SSH session to address:port started (shells, commands, and what they
 * left behind after the session ended): SSH_CONNECTION is "CLIENT_IP CLIENT_PORT SERVER_IP SERVER_PORT".
 */
export function sessionProcesses(address: string, port = 22): ProcessInfo[] {
  const suffix = ` ${address} ${port}`;
  return allProcesses().filter((info) => info.state !== "Z" && environmentOf(info.pid, "SSH_CONNECTION")?.endsWith(suffix) === true);
}

/** Sends a signal to each pid, ignoring processes that are already gone. */
export function signalAll(pids: readonly number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // gone already
    }
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until check() returns a value other than undefined, or throws after timeoutMs. */
export async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs: number, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/**
 * Waits until no process of an SSH session to address is left (commands that outlived their
 * connection may need a moment to notice), and returns what is still there after timeoutMs.
 */
export async function leftoverSessionProcesses(address: string, timeoutMs: number, port = 22, only: (info: ProcessInfo) => boolean = () => true): Promise<ProcessInfo[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = sessionProcesses(address, port).filter(only);
    if (left.length === 0 || Date.now() > deadline) return left;
    await sleep(100);
  }
}
