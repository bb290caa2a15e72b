/** Shared pieces of the transport integration tests: testbed hosts as HostConnections, temp dirs. */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { HostConnection } from "../../../src/inventory/types.js";
import { createTransport, type TransportSettings } from "../../../src/transport/create.js";
import { TransportError } from "../../../src/transport/errors.js";
import type { Transport } from "../../../src/transport/types.js";
import { hostConnectionFor } from "../../support/host-connection.js";
import { type TestbedHostInfo, testbed, testbedHost } from "../testbed.js";

export const info = testbed();

export function targetFor(name: string, overrides: Partial<HostConnection> = {}): HostConnection {
  const host = testbedHost(name, info);
  return hostConnectionFor(name, {
    address: host.address,
    port: host.port,
    user: "root",
    privateKeyFile: info.clientKeyFile,
    knownHostsFile: info.knownHostsFile,
    ...overrides,
  });
}

export const tempDir = (): string => mkdtempSync(path.join(tmpdir(), "fleet-transport-"));

/** A transport that ignores this machine's ~/.ssh and /etc/ssh known_hosts: only the files a test gives count. */
export function isolatedTransport(settings: TransportSettings = {}): Promise<Transport> {
  return createTransport({ home: tempDir(), globalKnownHostsFiles: [], connectTimeoutMs: 5_000, ...settings });
}

export function sshdPid(host: TestbedHostInfo): number {
  return Number(readFileSync(host.sshdPidFile, "utf8").trim());
}

/** A fresh ed25519 key pair that no host authorizes. */
export function strayKey(): string {
  const file = path.join(tempDir(), "id_ed25519");
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", file]);
  return file;
}

export { testbedHost };

/** Transports a test file opens, all closed by closeAll (call it in afterEach or afterAll). */
export function transportPool(): { transport: (settings?: TransportSettings) => Promise<Transport>; closeAll: () => Promise<void> } {
  const open: Transport[] = [];
  return {
    transport: async (settings = {}) => {
      const created = await isolatedTransport(settings);
      open.push(created);
      return created;
    },
    closeAll: async () => {
      await Promise.all(open.splice(0).map((transport) => transport.close()));
    },
  };
}

/** The TransportError a connect attempt rejects with; fails the test when it resolves or throws anything else. */
export async function connectError(promise: Promise<unknown>): Promise<TransportError> {
  const error: unknown = await promise.then(() => undefined, (caught: unknown) => caught);
  if (!(error instanceof TransportError)) throw new Error(`expected a TransportError, got ${String(error)}`);
  return error;
}
