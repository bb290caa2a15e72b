import type { HostConnection } from "../inventory/types.js";
import { TransportError, type UnreachableKind } from "./errors.js";
import type { Connection, ExecOptions, ExecResult, Transport } from "./types.js";

/** What the fake does for one command. */
export interface FakeReply {
  exitCode?: number | null;
  signal?: string | null;
  stdout?: string;
  stderr?: string;
  timedOut?: boolean;
  becomeFailure?: string | null;
  delayMs?: number;
  /** Break the connection instead of answering. */
  lose?: boolean;
}

export interface FakeHostScript {
  connectDelayMs?: number;
  /** Make connect() fail with this kind of unreachability. */
  unreachable?: UnreachableKind;
  /** Answer each command; default: exit 0 with no output. */
  reply?: (command: string, options: ExecOptions) => FakeReply;
}

export type FakeEvent = { host: string; event: "connect" | "close" } | { host: string; event: "exec"; command: string; options: ExecOptions };

/**
 * A scripted transport for unit tests of everything above the transport. It records every call and
 * the peak concurrency of connects and of open connections, so tests can assert the bounds.
 */
export class FakeTransport implements Transport {
  readonly events: FakeEvent[] = [];
  connectsInFlight = 0;
  peakConnectsInFlight = 0;
  openConnections = 0;
  peakOpenConnections = 0;
  closed = false;

  constructor(private readonly script: (host: string) => FakeHostScript = () => ({})) {}

  async connect(target: HostConnection): Promise<Connection> {
    const script = this.script(target.host);
    this.events.push({ host: target.host, event: "connect" });
    this.connectsInFlight += 1;
    this.peakConnectsInFlight = Math.max(this.peakConnectsInFlight, this.connectsInFlight);
    try {
      await sleep(script.connectDelayMs ?? 0);
    } finally {
      this.connectsInFlight -= 1;
    }
    if (script.unreachable) throw new TransportError(script.unreachable, target.host, `fake ${script.unreachable}`);
    this.openConnections += 1;
    this.peakOpenConnections = Math.max(this.peakOpenConnections, this.openConnections);
    return new FakeConnection(target.host, script, this);
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  commandsRunOn(host: string): string[] {
    return this.events.flatMap((event) => (event.host === host && event.event === "exec" ? [event.command] : []));
  }
}

class FakeConnection implements Connection {
  private open = true;

  constructor(
    readonly host: string,
    private readonly script: FakeHostScript,
    private readonly transport: FakeTransport,
  ) {}

  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    this.transport.events.push({ host: this.host, event: "exec", command, options });
    const reply = this.script.reply?.(command, options) ?? {};
    const begun = Date.now();
    if (await sleepUnlessAborted(reply.delayMs ?? 0, options.signal)) {
      return { command, exitCode: null, signal: null, stdout: "", stderr: "", truncated: false, timedOut: false, interrupted: true, becomeFailure: null, durationMs: Date.now() - begun };
    }
    if (reply.lose) throw new TransportError("connection-lost", this.host, "fake connection lost");
    return {
      command,
      exitCode: reply.exitCode === undefined ? 0 : reply.exitCode,
      signal: reply.signal ?? null,
      stdout: reply.stdout ?? "",
      stderr: reply.stderr ?? "",
      truncated: false,
      timedOut: reply.timedOut ?? false,
      interrupted: false,
      becomeFailure: reply.becomeFailure ?? null,
      durationMs: reply.delayMs ?? 0,
    };
  }

  get usable(): boolean {
    return this.open;
  }

  close(): Promise<void> {
    if (this.open) {
      this.open = false;
      this.transport.openConnections -= 1;
      this.transport.events.push({ host: this.host, event: "close" });
    }
    return Promise.resolve();
  }
}

/** Sleeps; true when the signal aborted first (a command "killed" by an interrupt). */
function sleepUnlessAborted(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(true);
  if (ms <= 0) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve(false);
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

const sleep = (ms: number): Promise<void> => (ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms)));
