import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { resolveEndpoint, type EndpointContext } from "../../../src/transport/endpoint.js";
import { loadSshConfig, parseSshConfig } from "../../../src/transport/ssh-config.js";
import { hostConnectionFor } from "../../support/host-connection.js";

describe("~/.ssh/config Include", () => {
  it("reads included files in place, globs sorted, nested, relative to the directory of the user config (as OpenSSH: ~/.ssh); missing ones are skipped", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "fleet-sshcfg-"));
    mkdirSync(path.join(dir, "conf.d"));
    writeFileSync(path.join(dir, "config"), "Include conf.d/*.conf missing.conf\nHost *\n  User fallback\n");
    writeFileSync(path.join(dir, "conf.d", "20-db.conf"), "Host db\n  HostName 10.0.0.20\n  Include nested.conf\n");
    writeFileSync(path.join(dir, "conf.d", "10-web.conf"), "Host web\n  HostName 10.0.0.10\n  Port 2222\n");
    writeFileSync(path.join(dir, "nested.conf"), "  User dbadmin\n");
    const config = await loadSshConfig(path.join(dir, "config"));
    expect(config.resolve("web")).toMatchObject({ hostName: "10.0.0.10", port: 2222, user: "fallback" });
    expect(config.resolve("db")).toMatchObject({ hostName: "10.0.0.20", user: "dbadmin" });
  });

  it("refuses an Include loop instead of recursing for ever", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "fleet-sshcfg-"));
    writeFileSync(path.join(dir, "config"), "Include config\n");
    await expect(loadSshConfig(path.join(dir, "config"))).rejects.toThrow(/Include nested more than 16 deep/);
  });
});

describe("~/.ssh/config Include of a directory", () => {
  it("is a usage error naming the directory, not an internal error", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "fleet-sshcfg-"));
    mkdirSync(path.join(dir, "conf.d"));
    writeFileSync(path.join(dir, "config"), "Include conf.d\n");
    await expect(loadSshConfig(path.join(dir, "config"))).rejects.toMatchObject({ code: "SSH_CONFIG_INCLUDE", category: "usage", message: `${path.join(dir, "conf.d")} is a directory, not an ssh client config file` });
  });
});

describe("~/.ssh/config ProxyCommand", () => {
  const context = (text: string): EndpointContext => ({ sshConfig: parseSshConfig(text), home: "/home/ops", localUser: "ops", policy: undefined, globalKnownHostsFiles: [] });

  it("is refused with the option named, never silently skipped (the host would be reached directly)", () => {
    expect(() => resolveEndpoint(hostConnectionFor("bastioned"), context("Host bastioned\n  ProxyCommand ssh -W %h:%p jump\n"))).toThrow(/ProxyCommand \(for bastioned\) is not supported/);
    expect(() => resolveEndpoint(hostConnectionFor("plain"), context("Host *\n  ProxyCommand none\n"))).not.toThrow();
  });
});
