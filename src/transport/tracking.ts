import { setMaxListeners } from "node:events";
import type { HostConnection } from "../inventory/types.js";
import { InterruptedError } from "./errors.js";
import type { Connection, ExecOptions, Transport } from "./types.js";

/**
 * A transport that knows its open connections and can interrupt them: every command it runs
 * carries the run's abort signal, so one interrupt kills the remote commands of every host (their
 * whole process groups, also under sudo) and no new host or command is started after it.
 */
export class TrackingTransport implements Transport {
  private readonly open = new Set<Connection>();
  private readonly interruption = new AbortController();

  constructor(private readonly inner: Transport) {
    // every running command listens on the one interrupt signal: hundreds at once are expected, not a leak
    setMaxListeners(0, this.interruption.signal);
  }

  get interrupted(): boolean {
    return this.interruption.signal.aborted;
  }

  async connect(target: HostConnection): Promise<Connection> {
    if (this.interrupted) throw notReached(target.host);
    const connection = await this.inner.connect(target);
    if (this.interrupted) {
      await connection.close();
      throw notReached(target.host);
    }
    this.open.add(connection);
    const signal = this.interruption.signal;
    return {
      host: connection.host,
      get usable() {
        return connection.usable;
      },
      exec: (command, options: ExecOptions = {}) => connection.exec(command, { ...options, signal: options.signal ? AbortSignal.any([options.signal, signal]) : signal }),
      close: async () => {
        this.open.delete(connection);
        await connection.close();
      },
    };
  }

  /** Kills the running remote commands of every host and starts nothing new; the run then settles on its own. */
  interrupt(): void {
    this.interruption.abort();
  }

  /** The last resort when the run does not settle: closes every open connection at once. */
  async closeAll(): Promise<void> {
    this.interrupt();
    await Promise.all([...this.open].map((connection) => connection.close().catch(() => {})));
    this.open.clear();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

const notReached = (host: string): InterruptedError => new InterruptedError(`${host}: not started: the run was interrupted before the host was reached`);
