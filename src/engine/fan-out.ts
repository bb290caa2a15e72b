import pLimit from "p-limit";
import type { HostConnection } from "../inventory/types.js";
import { InterruptedError, isTransportError, type TransportError } from "../transport/errors.js";
import type { Connection, Transport } from "../transport/types.js";

export interface FanOutOptions<T> {
  /** Hosts worked on at once (-f/--forks). */
  forks: number;
  /** SSH handshakes in flight at once: they cost CPU, so fewer than forks. */
  handshakes: number;
  onEvent?: (event: FanOutEvent<T>) => void;
  /** True once the run is interrupted: hosts not connected yet are not started. */
  stopped?: () => boolean;
  /** Connections opened by an earlier fan-out of the same run, and where open ones go afterwards (closed when absent). */
  connections?: ConnectionReuse<T>;
}

export interface ConnectionReuse<T> {
  /** The host's open connection, if one was kept for it. */
  take(host: string): Connection | undefined;
  /** Keeps or closes the connection once the host's share has ended as `run` says. */
  release(connection: Connection, run: HostRun<T>): Promise<void>;
}

export const FAN_OUT_DEFAULTS = { forks: 50, handshakes: 64 } as const;

/** How one host's share of the run ended. */
export type HostRun<T> =
  | { host: string; kind: "done"; value: T; durationMs: number }
  /** No working connection, or it broke: Ansible's UNREACHABLE. */
  | { host: string; kind: "unreachable"; error: TransportError; durationMs: number }
  /** The work itself threw something unexpected; the other hosts go on. */
  | { host: string; kind: "crashed"; message: string; durationMs: number }
  /** The run was interrupted before this host was reached. */
  | { host: string; kind: "not-started"; durationMs: number };

export type FanOutEvent<T> =
  | { type: "host-started"; host: string }
  | { type: "host-connected"; host: string }
  | { type: "host-finished"; host: string; run: HostRun<T> };

export type HostWork<T> = (connection: Connection, target: HostConnection) => Promise<T>;

/**
 * Run `work` on every target with one connection per host (kept from an earlier fan-out, or new),
 * at most `forks` hosts at once and at most `handshakes` connections being opened at once. Never
 * rejects because of a host: every failure becomes that host's HostRun. Results come back in the
 * order of `targets`.
 */
export async function fanOut<T>(
  targets: readonly HostConnection[],
  transport: Transport,
  work: HostWork<T>,
  options: FanOutOptions<T>,
): Promise<HostRun<T>[]> {
  const forks = pLimit(Math.max(1, options.forks));
  const handshakes = pLimit(Math.max(1, Math.min(options.handshakes, options.forks)));
  const emit = options.onEvent ?? (() => {});

  const runHost = async (target: HostConnection): Promise<HostRun<T>> => {
    const begun = Date.now();
    const elapsed = (): number => Date.now() - begun;
    emit({ type: "host-started", host: target.host });
    let connection: Connection | undefined;
    let run: HostRun<T>;
    try {
      if (options.stopped?.()) throw new InterruptedError(`${target.host}: not started`);
      connection = options.connections?.take(target.host) ?? await handshakes(() => {
        if (options.stopped?.()) throw new InterruptedError(`${target.host}: not started`);
        return transport.connect(target);
      });
      emit({ type: "host-connected", host: target.host });
      const value = await work(connection, target);
      run = { host: target.host, kind: "done", value, durationMs: elapsed() };
    } catch (error) {
      run = error instanceof InterruptedError && connection === undefined
        ? { host: target.host, kind: "not-started", durationMs: elapsed() }
        : isTransportError(error)
        ? { host: target.host, kind: "unreachable", error, durationMs: elapsed() }
        : { host: target.host, kind: "crashed", message: error instanceof Error ? (error.stack ?? error.message) : String(error), durationMs: elapsed() };
    }
    // closing happens outside the fork slot's timing but inside the slot, so forks bounds open connections
    const reuse = options.connections;
    if (connection !== undefined) await (reuse === undefined ? connection.close() : reuse.release(connection, run)).catch(() => {});
    emit({ type: "host-finished", host: target.host, run });
    return run;
  };

  return Promise.all(targets.map((target) => forks(() => runHost(target))));
}
