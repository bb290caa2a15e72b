/** Small wrappers over child_process for the testbed scripts: run a command, fail loudly. */
import { execFile } from "node:child_process";

export class TestbedCommandError extends Error {
  constructor(
    readonly command: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(`command failed (exit ${exitCode ?? "signal"}): ${command.join(" ")}\n${stderr.trim()}`);
    this.name = "TestbedCommandError";
  }
}

export interface RunResult {
  stdout: string;
  stderr: string;
}

export function run(command: readonly string[], options: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  const [file, ...args] = command;
  if (file === undefined) throw new Error("empty command");
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      { timeout: options.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024, env: options.env ?? process.env },
      (error, stdout, stderr) => {
        if (error) {
          const code = typeof error.code === "number" ? error.code : null;
          reject(new TestbedCommandError(command, code, `${stderr}${error.killed ? " (timed out)" : ""}`));
        } else {
          resolve({ stdout, stderr });
        }
      },
    );
    // Always close stdin: some commands (lxc init) read a config from a non-terminal stdin and
    // would wait. A child that exits before reading makes this write fail with EPIPE; its exit
    // status already tells what happened, and an unhandled stream error would crash the runner.
    child.stdin?.on("error", () => {});
    child.stdin?.end(options.input ?? "");
  });
}

/** Run a command inside a host's mount namespace (entered through its sshd's pid). */
export function runInHost(pid: number, command: readonly string[], options: { input?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return run(["nsenter", "-t", String(pid), "-m", "--", ...command], options);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
