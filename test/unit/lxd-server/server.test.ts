import { describe, expect, it } from "vitest";
import { FactParseError } from "../../../src/facts/errors.js";
import { hasApiExtension, lxdServer, parseServerDocument, secretDigest } from "../../../src/facts/lxd/server.js";
import { compareVersions, isLtsVersion, parseLxdVersion } from "../../../src/facts/lxd/server-version.js";
import { docsServer, rawServer, server, serverInfo } from "./fixtures.js";

describe("lxdServer: captured lxc query /1.0 of the testbed (Debian's LXD 5.0.2)", () => {
  it("a standalone package install (tb1): 5.0.2, LTS derived (5.0.2 has no server_lts), no config", () => {
    const tb1 = serverInfo("tb1");
    expect(tb1).toMatchObject({ state: "server", version: "5.0.2", lts: true, ltsReported: false, trusted: true, clustered: false, serverName: "tb1", config: {}, hidden: [] });
    expect(tb1.pid).toBeGreaterThan(0);
    expect(tb1.apiExtensions.length).toBeGreaterThan(300);
    expect(hasApiExtension(tb1, "clustering")).toBe(true);
    expect(hasApiExtension(tb1, "oidc")).toBe(false);
  });

  it("cluster members (tbc1, tbc2): clustered, each with its own member-local addresses", () => {
    const tbc1 = serverInfo("tbc1");
    const tbc2 = serverInfo("tbc2");
    expect(tbc1).toMatchObject({ clustered: true, serverName: "tbc1", config: { "cluster.https_address": "127.0.7.101:8443", "core.https_address": "127.0.7.101:8443" } });
    expect(tbc2).toMatchObject({ clustered: true, serverName: "tbc2", config: { "core.https_address": "127.0.7.102:8443" } });
  });

  it("lxc's first-run notice on stderr does not matter when the query worked (tbc2)", () => {
    expect(rawServer("tbc2").stderr).toContain("lxd init");
    expect(server("tbc2").state).toBe("server");
  });

  it("keys set: values as strings; core.trust_password hidden (LXD puts the boolean true in its place)", () => {
    const tb1 = serverInfo("tb1Set");
    expect(tb1.config).toEqual({ "cluster.join_token_expiry": "15M", "core.https_address": "127.0.7.1:8443", "core.trust_ca_certificates": "true", "user.fleet-fixture": "1" });
    expect(tb1.hidden).toEqual(["core.trust_password"]);
    expect(JSON.parse(rawServer("tb1Set").stdout).config["core.trust_password"]).toBe(true);
  });

  it("no lxc on the host, and a daemon that does not answer", () => {
    expect(server("noLxd")).toEqual({ state: "no_lxd", message: "lxc is not installed" });
    expect(server("daemonDown")).toEqual({ state: "error", message: 'Get "http://unix.socket/1.0": dial unix /nonexistent/unix.socket: connect: no such file or directory' });
  });

  it("the probe is lxdQuery's for /1.0 (snap's lxc first)", () => {
    expect(lxdServer.probe("")).toContain("query /1.0");
    expect(lxdServer.probe("")).toContain("/snap/bin/lxc");
  });
});

describe("lxdServer: the 5.21 and 6.x shapes of the docs (rest-api.yaml examples)", () => {
  it("6.9: server_lts reported false; secrets replaced by digests; a clear loki.auth.password is a secret too", () => {
    const six = docsServer("6.9");
    expect(six).toMatchObject({ version: "6.9", lts: false, ltsReported: true, clustered: true, serverName: "member1", pid: 1453969, hidden: [] });
    expect(six.config["oidc.client.secret"]).toBe(secretDigest("s3cr3t-from-the-idp"));
    expect(six.config["loki.auth.password"]).toBe(secretDigest("loki-secret"));
    expect(JSON.stringify(six)).not.toContain("s3cr3t");
    expect(six.config["oidc.session.expiry"]).toBe("1d");
    expect(hasApiExtension(six, "oidc")).toBe(true);
  });

  it("5.21: server_lts true; hidden keys listed, not in config", () => {
    const lts = docsServer("5.21");
    expect(lts).toMatchObject({ version: "5.21.7", lts: true, ltsReported: true });
    expect(lts.hidden).toEqual(["core.trust_password", "loki.auth.password"]);
    expect(lts.config).not.toHaveProperty("core.trust_password");
    expect(lts.config["oidc.client.secret"]).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});

describe("parseServerDocument refuses what is not GET /1.0", () => {
  it.each([
    ["an array", []],
    ["no version", { environment: {} }],
    ["a config that is a list", { environment: { server_version: "5.0.2" }, config: [] }],
    ["a config value that is an object", { environment: { server_version: "5.0.2" }, config: { "user.x": { a: 1 } } }],
  ])("%s", (_name, document) => {
    expect(() => parseServerDocument(document)).toThrow(FactParseError);
  });

  it("an untrusted view: no config, trusted false", () => {
    expect(parseServerDocument({ auth: "untrusted", environment: { server_version: "5.21.1" } })).toMatchObject({ trusted: false, config: {}, lts: true, ltsReported: false });
  });

  it("output that is not JSON is a parse error", () => {
    expect(() => lxdServer.parse({ stdout: "garbage", stderr: "", exitCode: 0 }, "")).toThrow(FactParseError);
  });
});

describe("LXD versions", () => {
  it.each([
    ["5.0.2", true],
    ["5.0.9", true],
    ["5.21.7", true],
    ["5.21.0", true],
    ["4.0.9", true],
    ["5.20", false],
    ["6.9", false],
    ["6.1", false],
    ["git-abc", false],
  ])("%s LTS: %s", (version, lts) => {
    expect(isLtsVersion(version)).toBe(lts);
  });

  it("parses and compares", () => {
    expect(parseLxdVersion("5.21.1-e3a4d2b")).toEqual([5, 21, 1]);
    expect(parseLxdVersion("6.9")).toEqual([6, 9, 0]);
    expect(parseLxdVersion("latest")).toBeUndefined();
    expect(compareVersions([5, 0, 2], [5, 21])).toBeLessThan(0);
    expect(compareVersions([6, 1], [6, 1, 0])).toBe(0);
  });
});
