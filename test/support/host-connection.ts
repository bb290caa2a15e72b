/** A HostConnection with every field at its default (as if the inventory set nothing), plus overrides. */
import type { HostConnection } from "../../src/inventory/types.js";

export function hostConnectionFor(host: string, overrides: Partial<HostConnection> = {}): HostConnection {
  return {
    host,
    address: host,
    port: undefined,
    user: undefined,
    privateKeyFile: undefined,
    connection: "ssh",
    become: false,
    becomeUser: "root",
    knownHostsFile: undefined,
    jump: undefined,
    ...overrides,
  };
}
