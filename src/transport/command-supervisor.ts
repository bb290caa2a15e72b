import { randomBytes } from "node:crypto";
import { BecomeFilter, planBecome } from "./become.js";
import { OutputCapture } from "./output-capture.js";
import type { ExecResult } from "./types.js";

/** A started command, as both the SSH channel and a local child process can present it. */
export interface RunningCommand {
  onStdout(listener: (chunk: Buffer) => void): void;
  onStderr(listener: (chunk: Buffer) => void): void;
  /** Called once, after the command ended and its output streams closed (or a kill got no answer). */
  onExit(listener: (exit: CommandExit) => void): void;
  writeStdin(data: string | Buffer): void;
  endStdin(): void;
  /**
   * Best effort: kill the command and release the channel or process. processGroup is the remote
   * process group of the command when it was asked for (commands with a timeout report it).
   */
  kill(processGroups: readonly number[]): void;
}

export interface CommandExit {
  code: number | null;
  signal: string | null;
  /** The command was killed but the host never confirmed it (the channel did not close). */
  unanswered?: boolean;
}

export interface SupervisedRequest {
  command: string;
  become: { user: string; password: string | undefined } | undefined;
  timeoutMs: number | undefined;
  stdin: string | Buffer | undefined;
  outputLimit: number;
  signal?: AbortSignal | undefined;
}

/**
 * Runs one command through a starter (SSH channel or child process) and turns what happens into an
 * ExecResult: captures output, handles the sudo conversation, enforces the timeout.
 * The starter may reject (channel could not be opened); that rejection passes through.
 */
export async function superviseCommand(
  request: SupervisedRequest,
  start: (commandLine: string) => Promise<RunningCommand>,
): Promise<ExecResult> {
  const begun = Date.now();
  if (request.signal?.aborted) return notStarted(request.command);
  const plan = request.become ? planBecome(request.command, request.become.user, request.become.password) : undefined;
  const commandLine = plan ? plan.wrapped : request.command;
  // A command that may have to be killed first reports its process group: sshd starts every
  // session in a new session (setsid), so the login shell's $$ is the group of the whole command.
  const mayBeKilled = request.timeoutMs !== undefined || request.signal !== undefined;
  const groupProbe = mayBeKilled ? new ProcessGroupProbe() : undefined;
  const running = await start(groupProbe ? groupProbe.prefix(commandLine) : commandLine);
  const stdout = new OutputCapture(request.outputLimit);
  const stderr = new OutputCapture(request.outputLimit);
  const filter = plan ? new BecomeFilter(plan) : undefined;
  let timedOut = false;
  let interrupted = false;
  let rejected = false;
  // the login shell's group, and under sudo the group the command runs in (sudo's use_pty starts a new session for it)
  const groupsToKill = (): number[] => [...new Set([groupProbe?.group, filter?.commandGroup])].filter((group): group is number => group !== undefined);

  const sendStdin = (): void => {
    if (request.stdin !== undefined) running.writeStdin(request.stdin);
    running.endStdin();
  };
  // An interrupt may come before the remote shell (and under sudo, the command) has said its
  // process group: closing the channel then would leave the command running (sshd refuses signals
  // on root logins; a killed sudo leaves its command alive), so the kill waits for them, briefly.
  const groupsKnown = (): boolean => groupProbe?.group !== undefined && (filter === undefined || filter.commandGroup !== undefined);
  let killWaiting: NodeJS.Timeout | undefined;
  const killNow = (): void => {
    if (killWaiting) clearTimeout(killWaiting);
    killWaiting = undefined;
    running.kill(groupsToKill());
  };
  const kill = (): void => {
    if (groupProbe === undefined || groupsKnown()) return killNow();
    killWaiting ??= setTimeout(killNow, GROUP_WAIT_MS);
  };
  const takeStderr = (raw: string): void => {
    const text = groupProbe ? groupProbe.feed(raw) : raw;
    if (!filter) stderr.append(text);
    else {
      const { output, events } = filter.feed(text);
      for (const event of events) {
        if (event === "send-password" && plan?.password !== undefined) running.writeStdin(`${plan.password}\n`);
        else if (event === "password-rejected") {
          rejected = true;
          // sudo refused: no command was started, nothing to wait for
          killNow();
        } else if (event === "started" && plan?.password !== undefined) sendStdin();
      }
      stderr.append(output);
    }
    if (killWaiting && groupsKnown()) killNow();
  };

  running.onStdout((chunk) => stdout.append(stdout.decode(chunk)));
  running.onStderr((chunk) => takeStderr(stderr.decode(chunk)));
  // Without a password sudo -n passes stdin straight through; with one, stdin waits for the marker.
  if (plan?.password === undefined) sendStdin();

  const timer = request.timeoutMs === undefined
    ? undefined
    : setTimeout(() => {
      timedOut = true;
      kill();
    }, request.timeoutMs);
  const onAbort = (): void => {
    if (timedOut || interrupted) return;
    interrupted = true;
    kill();
  };
  request.signal?.addEventListener("abort", onAbort, { once: true });
  // the interrupt may have come while the channel was being opened
  if (request.signal?.aborted) onAbort();

  const exit = await new Promise<CommandExit>((resolve) => running.onExit(resolve));
  if (timer) clearTimeout(timer);
  if (killWaiting) clearTimeout(killWaiting);
  request.signal?.removeEventListener("abort", onAbort);
  stdout.append(stdout.flushDecoder());
  takeStderr(stderr.flushDecoder());
  if (groupProbe) stderr.append(groupProbe.drain());
  const becomeFailure = filter && !timedOut && !interrupted ? (rejected ? "sudo rejected the become password" : filter.failure()) : null;
  return {
    command: request.command,
    exitCode: timedOut || interrupted ? null : exit.code,
    signal: exit.signal,
    stdout: stdout.value(),
    stderr: becomeFailure === null ? stderr.value() : "",
    truncated: stdout.truncated || stderr.truncated,
    timedOut,
    interrupted,
    ...(exit.unanswered ? { killUnanswered: true } : {}),
    becomeFailure,
    durationMs: Date.now() - begun,
  };
}

/** How long a kill waits for the remote shell to report its process group. */
const GROUP_WAIT_MS = 2_000;

/** The result of a command the interrupt came before: nothing was started. */
function notStarted(command: string): ExecResult {
  return { command, exitCode: null, signal: null, stdout: "", stderr: "", truncated: false, timedOut: false, interrupted: true, becomeFailure: null, durationMs: 0 };
}

/** Reads the `FLEET-PGID-<nonce> <pid>` line that prefix() makes the remote shell print first. */
class ProcessGroupProbe {
  group: number | undefined;
  private readonly tag = `FLEET-PGID-${randomBytes(6).toString("hex")}`;
  private pending: string | undefined = "";

  prefix(commandLine: string): string {
    return `echo ${this.tag} $$ >&2; ${commandLine}`;
  }

  /** Whatever was held back waiting for a newline, at the end of the command. */
  drain(): string {
    const rest = this.pending ?? "";
    this.pending = undefined;
    return rest;
  }

  /** Strips the probe line from stderr; returns the text to pass on. */
  feed(text: string): string {
    if (this.pending === undefined) return text;
    this.pending += text;
    const newline = this.pending.indexOf("\n");
    if (newline < 0) return "";
    const line = this.pending.slice(0, newline);
    const rest = this.pending.slice(newline + 1);
    this.pending = undefined;
    const match = new RegExp(`^${this.tag} (\\d+)$`).exec(line);
    if (!match) return `${line}\n${rest}`;
    this.group = Number(match[1]);
    return rest;
  }
}
