import type { HostConnection } from "../inventory/types.js";
import { describeFailure, stderrTail } from "../transport/exit-meaning.js";
import type { ExecResult, Transport } from "../transport/types.js";
import { fanOut, type FanOutOptions, type HostRun } from "./fan-out.js";

/** interrupted: the command was killed by an interrupt, or never started because of one. */
export type ExecStatus = "ok" | "failed" | "unreachable" | "interrupted";

/** The outcome of an ad-hoc command on one host: the data behind `fleet exec`. */
export interface ExecHostResult {
  host: string;
  status: ExecStatus;
  /** null when the host was unreachable. */
  result: ExecResult | null;
  /** Why it failed or was unreachable, in one line; null when ok. */
  message: string | null;
  /** What the user can do about it (unreachable hosts). */
  hint: string | null;
  /** Stable error code for unreachable hosts (SSH_TIMEOUT, SSH_HOST_KEY_CHANGED, ...). */
  code: string | null;
  durationMs: number;
}

export interface ExecRunOptions extends Omit<FanOutOptions<ExecResult>, "onEvent" | "stopped"> {
  /** True once the run is interrupted: no host is started after it. */
  interrupted?: () => boolean;
  become?: boolean;
  timeoutMs?: number;
  /** Called as each host finishes, in finishing order. */
  onHostDone?: (result: ExecHostResult) => void;
  onHostStarted?: (host: string) => void;
}

export async function runExec(targets: readonly HostConnection[], transport: Transport, command: string, options: ExecRunOptions): Promise<ExecHostResult[]> {
  const runs = await fanOut(
    targets,
    transport,
    (connection) =>
      connection.exec(command, {
        ...(options.become ? { become: true } : {}),
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      }),
    {
      forks: options.forks,
      handshakes: options.handshakes,
      ...(options.interrupted ? { stopped: options.interrupted } : {}),
      onEvent: (event) => {
        if (event.type === "host-started") options.onHostStarted?.(event.host);
        else if (event.type === "host-finished") options.onHostDone?.(judgeRun(event.run, options.timeoutMs));
      },
    },
  );
  return runs.map((run) => judgeRun(run, options.timeoutMs));
}

export function judgeRun(run: HostRun<ExecResult>, timeoutMs: number | undefined): ExecHostResult {
  const base = { host: run.host, durationMs: run.durationMs };
  switch (run.kind) {
    case "done": {
      if (run.value.interrupted) return { ...base, status: "interrupted", result: run.value, message: "interrupted: the command was killed", hint: null, code: "RUN_INTERRUPTED" };
      const failure = describeFailure(run.value, timeoutMs);
      const tail = failure === null ? "" : stderrTail(run.value.stderr, 1);
      return { ...base, status: failure === null ? "ok" : "failed", result: run.value, message: failure === null ? null : tail ? `${failure}: ${tail}` : failure, hint: null, code: null };
    }
    case "unreachable":
      return { ...base, status: "unreachable", result: null, message: run.error.message, hint: run.error.hint ?? null, code: run.error.code };
    case "crashed":
      return { ...base, status: "failed", result: null, message: `internal error: ${run.message}`, hint: "please report this", code: "FLEET_INTERNAL" };
    case "not-started":
      return { ...base, status: "interrupted", result: null, message: "not started: the run was interrupted", hint: null, code: "RUN_INTERRUPTED" };
  }
}
