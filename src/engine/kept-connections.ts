import type { Connection } from "../transport/types.js";
import type { ConnectionReuse, HostRun } from "./fan-out.js";

/**
 * A run's connections left open between the plays of a host, so a playbook of N plays costs a
 * host one SSH handshake instead of N. A connection is kept only while a later play may need it;
 * the run closes whatever is left at its end (also when interrupted).
 */
export class KeptConnections<T> implements ConnectionReuse<T> {
  private readonly open = new Map<string, Connection>();

  /**
   * `endedWell(run)`: the host's share ended with its connection good for more work;
   * `neededLater(host)`: some play after the current one may run on this host.
   */
  constructor(
    private readonly endedWell: (run: HostRun<T>) => boolean,
    private readonly neededLater: (host: string) => boolean,
  ) {}

  /** The host's connection from an earlier play, handed over; none when it broke meanwhile (connect again). */
  take(host: string): Connection | undefined {
    const connection = this.open.get(host);
    this.open.delete(host);
    if (connection?.usable !== false) return connection;
    void connection.close().catch(() => {});
    return undefined;
  }

  /** Keeps the connection of a host that ended its play well and has more to do; closes it otherwise. */
  async release(connection: Connection, run: HostRun<T>): Promise<void> {
    if (this.endedWell(run) && this.neededLater(connection.host)) {
      this.open.set(connection.host, connection);
      return;
    }
    await connection.close();
  }

  /** Closes the connections of hosts that take no part in the rest of the run. */
  async closeAll(keep: (host: string) => boolean = () => false): Promise<void> {
    const closing = [...this.open].filter(([host]) => !keep(host));
    for (const [host] of closing) this.open.delete(host);
    await Promise.all(closing.map(([, connection]) => connection.close().catch(() => {})));
  }

  get size(): number {
    return this.open.size;
  }
}
