import type { HostConnection } from "../inventory/types.js";
import { TransportError } from "./errors.js";
import type { Connection, Transport } from "./types.js";

/** A transport that knows its open connections, so an interrupt can close them all at once. */
export class TrackingTransport implements Transport {
  private readonly open = new Set<Connection>();
  private closingAll = false;

  constructor(private readonly inner: Transport) {}

  async connect(target: HostConnection): Promise<Connection> {
    const connection = await this.inner.connect(target);
    if (this.closingAll) {
      await connection.close();
      throw new TransportError("connection-lost", target.host, "interrupted before the host was reached");
    }
    this.open.add(connection);
    return {
      host: connection.host,
      exec: (command, options) => connection.exec(command, options),
      close: async () => {
        this.open.delete(connection);
        await connection.close();
      },
    };
  }

  /** Closes every open connection: their running commands end with the connection. */
  async closeAll(): Promise<void> {
    this.closingAll = true;
    await Promise.all([...this.open].map((connection) => connection.close().catch(() => {})));
    this.open.clear();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
