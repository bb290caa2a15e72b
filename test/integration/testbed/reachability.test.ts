import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openssh, sshOk, testbed } from "../testbed.js";

const info = testbed();

describe("testbed hosts answer over SSH", () => {
  it.each(info.hosts.map((host) => [host.name, host] as const))(
    "%s answers with strict host-key checking using only the generated files",
    async (name, host) => {
      const hostname = await sshOk(host, "hostname");
      expect(hostname.trim()).toBe(name);
    },
  );

  it("refuses a host whose key is not in known_hosts (strict checking is really on)", async () => {
    const emptyKnownHosts = path.join(mkdtempSync(path.join(tmpdir(), "fleet-kh-")), "known_hosts");
    writeFileSync(emptyKnownHosts, "");
    const host = info.hosts[0];
    if (host === undefined) throw new Error("testbed has no hosts");
    const outcome = await openssh(host, "true", { knownHostsFile: emptyKnownHosts });
    expect(outcome.code).toBe(255);
    expect(outcome.stderr).toMatch(/Host key verification failed/);
  });

  it("has the fleet account with passwordless sudo on every host", async () => {
    for (const host of info.hosts) {
      expect((await sshOk(host, "sudo -n id -un", { user: "fleet" })).trim()).toBe("root");
    }
  });

  it("gives accounts a clean shell startup (the machine's root ~/.bashrc runs pyenv)", async () => {
    for (const user of ["root", "fleet"]) {
      const host = info.hosts[0];
      if (host === undefined) throw new Error("testbed has no hosts");
      expect(await sshOk(host, "echo $PATH; cat ~/.bashrc", { user })).not.toMatch(/pyenv/);
    }
  });
});
