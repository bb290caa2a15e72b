import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { connectError, info, targetFor, tempDir, transportPool } from "./helpers.js";

const pool = transportPool();
const transport = pool.transport;
afterEach(pool.closeAll);

function knownHostsWith(lines: string[]): string {
  const file = path.join(tempDir(), "known_hosts");
  writeFileSync(file, lines.length === 0 ? "" : `${lines.join("\n")}\n`);
  return file;
}

describe("host keys against the testbed", () => {
  it("connects to every host with strict checking against the inventory's known_hosts", async () => {
    const ssh = await transport();
    for (const host of info.hosts) {
      const connection = await ssh.connect(targetFor(host.name));
      const result = await connection.exec("hostname");
      await connection.close();
      expect(result).toMatchObject({ exitCode: 0, stdout: `${host.name}\n` });
    }
  });

  it("refuses an unknown host and says how to add it", async () => {
    const empty = knownHostsWith([]);
    const error = await connectError((await transport()).connect(targetFor("tb1", { knownHostsFile: empty })));
    expect(error.kind).toBe("host-key-unknown");
    expect(error.code).toBe("SSH_HOST_KEY_UNKNOWN");
    expect(error.message).toMatch(/not in known_hosts \(ssh-ed25519 SHA256:/);
    expect(error.hint).toContain(`ssh-keyscan -p 22 127.0.1.1 >> ${empty}`);
  });

  it("refuses a changed host key loudly", async () => {
    const keyDir = tempDir();
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path.join(keyDir, "other")]);
    const [type, key] = readFileSync(path.join(keyDir, "other.pub"), "utf8").trim().split(/\s+/);
    const lying = knownHostsWith([`127.0.1.1 ${type} ${key}`]);
    const error = await connectError((await transport()).connect(targetFor("tb1", { knownHostsFile: lying })));
    expect(error.kind).toBe("host-key-changed");
    expect(error.message).toMatch(/REMOTE HOST KEY CHANGED .*possible man-in-the-middle attack/);
    expect(error.hint).toContain("ssh-keygen -R 127.0.1.1");
  });

  it("refuses a changed key even with --host-key-checking off and accept-new", async () => {
    const keyDir = tempDir();
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path.join(keyDir, "other")]);
    const [type, key] = readFileSync(path.join(keyDir, "other.pub"), "utf8").trim().split(/\s+/);
    const lying = knownHostsWith([`127.0.1.2 ${type} ${key}`]);
    for (const policy of ["off", "accept-new"] as const) {
      const error = await connectError((await transport({ hostKeyPolicy: policy })).connect(targetFor("tb2", { knownHostsFile: lying })));
      expect(error.kind).toBe("host-key-changed");
    }
  });

  it("refuses a host whose key is @revoked", async () => {
    const [type, key] = readFileSync(path.join(info.stateDir, "hosts", "tb1", "ssh_host_ed25519_key.pub"), "utf8").trim().split(/\s+/);
    const revoked = knownHostsWith([`127.0.1.1 ${type} ${key}`, `@revoked * ${type} ${key}`]);
    const error = await connectError((await transport()).connect(targetFor("tb1", { knownHostsFile: revoked })));
    expect(error.kind).toBe("host-key-revoked");
  });

  it("accept-new records the key atomically and the next strict run is clean", async () => {
    const fresh = knownHostsWith([]);
    const ssh = await transport({ hostKeyPolicy: "accept-new" });
    const connections = await Promise.all(["tb1", "tb2", "tb3"].map((name) => ssh.connect(targetFor(name, { knownHostsFile: fresh }))));
    await Promise.all(connections.map((connection) => connection.close()));
    const recorded = readFileSync(fresh, "utf8").trim().split("\n");
    expect(recorded.sort()).toEqual(["127.0.1.1", "127.0.1.2", "127.0.1.3"].map((address) => expect.stringMatching(new RegExp(`^${address.replace(/\./g, "\\.")} ssh-ed25519 `))));

    const strict = await transport({ hostKeyPolicy: "strict" });
    const again = await strict.connect(targetFor("tb2", { knownHostsFile: fresh }));
    expect((await again.exec("true")).exitCode).toBe(0);
    await again.close();
  });

  it("off accepts an unknown host without recording it, and warns", async () => {
    const empty = knownHostsWith([]);
    const warnings: string[] = [];
    const ssh = await transport({ hostKeyPolicy: "off", warn: (message) => warnings.push(message) });
    const connection = await ssh.connect(targetFor("tb3", { knownHostsFile: empty }));
    await connection.close();
    expect(readFileSync(empty, "utf8")).toBe("");
    expect(warnings.join("\n")).toMatch(/host key checking is OFF for tb3/);
  });

  it("off for the whole run warns once, not once per host", async () => {
    const empty = knownHostsWith([]);
    const warnings: string[] = [];
    const ssh = await transport({ hostKeyPolicy: "off", warn: (message) => warnings.push(message) });
    for (const name of ["tb1", "tb2", "tb3"]) await (await ssh.connect(targetFor(name, { knownHostsFile: empty }))).close();
    expect(warnings.filter((warning) => /host key checking is OFF/.test(warning))).toHaveLength(1);
  });
});
