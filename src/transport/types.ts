/**
 * The transport's face to the rest of fleet. Everything above this line (engine, modules, CLI)
 * talks to hosts only through these types, so it can be tested with the fake transport.
 */
import type { HostConnection } from "../inventory/types.js";

/** How unknown host keys are treated. A key that contradicts known_hosts is refused under all three. */
export type HostKeyPolicy = "strict" | "accept-new" | "off";

export interface ExecOptions {
  /** Run through sudo; defaults to the host's ansible_become. */
  become?: boolean;
  /** Defaults to the host's ansible_become_user (root). */
  becomeUser?: string;
  /** Kill the remote command and free its channel after this long. */
  timeoutMs?: number;
  /** Written to the command's standard input, which is then closed. */
  stdin?: string | Buffer;
  /**
   * Aborted when the run is interrupted: the remote command is killed (its whole process group,
   * also under sudo) and the result says `interrupted`. A command not started yet is not started.
   */
  signal?: AbortSignal;
}

export interface ExecResult {
  /** The command as the caller gave it (never the sudo wrapper, never a password). */
  command: string;
  /** null when the command was killed by a signal or timed out. */
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** True when stdout or stderr exceeded the capture limit and was cut (the tail is kept). */
  truncated: boolean;
  timedOut: boolean;
  /** True when the command was killed (or never started) because the run was interrupted. */
  interrupted: boolean;
  /**
   * Set when a kill (timeout, interrupt) got no answer: the host stopped answering (frozen, cut
   * off), so the command may still be running there.
   */
  killUnanswered?: boolean;
  /** Set when sudo itself refused (password required, wrong password, user not allowed). */
  becomeFailure: string | null;
  durationMs: number;
}

/** One live connection to one host, reused for every command of a run. */
export interface Connection {
  readonly host: string;
  /** Resolves for every command that ran, whatever its exit code; rejects with TransportError when the connection breaks. */
  exec(command: string, options?: ExecOptions): Promise<ExecResult>;
  close(): Promise<void>;
  /** False once the connection broke, stopped answering or was closed (absent: judged by exec alone). */
  readonly usable?: boolean;
}

export interface Transport {
  /** Rejects with TransportError (the host is then unreachable). */
  connect(target: HostConnection): Promise<Connection>;
  /** Frees what is shared between hosts (jump host connections). */
  close(): Promise<void>;
}

export const resultSucceeded = (result: ExecResult): boolean =>
  result.exitCode === 0 && !result.timedOut && !result.interrupted && result.becomeFailure === null;
