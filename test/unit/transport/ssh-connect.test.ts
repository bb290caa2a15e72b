import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createTransport } from "../../../src/transport/create.js";
import { TransportError } from "../../../src/transport/errors.js";
import { hostConnectionFor } from "../../support/host-connection.js";

describe("SSH transport before any packet is sent", () => {
  it("makes a known_hosts file it cannot read an unreachable host with a config error, not a crash", async () => {
    const home = mkdtempSync(path.join(tmpdir(), "fleet-ssh-connect-"));
    const unreadable = path.join(home, "known_hosts_dir");
    mkdirSync(unreadable);
    const transport = await createTransport({ home, globalKnownHostsFiles: [] });
    try {
      // port 1 is never reached: known_hosts is read before the TCP connection is opened
      const target = hostConnectionFor("web1", { address: "127.0.0.1", port: 1, knownHostsFile: unreadable });
      const error: unknown = await transport.connect(target).then(() => undefined, (caught: unknown) => caught);
      expect(error).toBeInstanceOf(TransportError);
      expect(error).toMatchObject({ kind: "config", code: "SSH_CONFIG" });
      expect((error as TransportError).message).toBe(`web1: cannot read known_hosts: ${unreadable}: EISDIR: illegal operation on a directory, read`);
    } finally {
      await transport.close();
    }
  });
});
