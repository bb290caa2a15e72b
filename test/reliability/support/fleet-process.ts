/** fleet as a real process (signals need one), and a look at the processes of the testbed hosts. */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const MAIN = path.join(REPO, "src/cli/main.ts");

export interface FleetProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (a signal death reads as 128 + n). */
  exited: Promise<number>;
}

/** Starts `fleet ARGS` from source (node with the tsx loader, in one process, so signals reach fleet itself). */
export function startFleet(args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; command?: readonly string[] } = {}): FleetProcess {
  const command = options.command ?? [process.execPath, "--import", "tsx", MAIN];
  const child = spawn(command[0] as string, [...command.slice(1), ...args], { cwd: options.cwd ?? REPO, env: { ...process.env, NO_COLOR: "1", ...options.env }, stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number>((resolve) => child.once("close", (code, signal) => resolve(code ?? 128 + signalNumber(signal))));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

const signalNumber = (signal: NodeJS.Signals | null): number => (signal === "SIGINT" ? 2 : signal === "SIGTERM" ? 15 : signal === "SIGHUP" ? 1 : signal === "SIGKILL" ? 9 : 0);

/**
 * "PID PPID PGID SID ARGS" of every process on this machine whose line contains `needle` (the
 * groups and session tell, when something is left, which kill missed it). The testbed's hosts share
 * this machine's kernel and process table, so their remote commands show up here too.
 */
export function processesMatching(needle: string): string[] {
  const table = execFileSync("ps", ["-eo", "pid=,ppid=,pgid=,sid=,args="], { encoding: "utf8" });
  return table.split("\n").filter((line) => line.includes(needle) && !line.includes("ps -eo"));
}

export async function waitFor(what: string, condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A `sleep` whose command line no other test uses: `sleep 4NNNNN.25`. */
export const uniqueSleep = (): string => `sleep 4${String(Math.floor(Math.random() * 1e5)).padStart(5, "0")}.25`;
