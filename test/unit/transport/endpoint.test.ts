import { describe, expect, it } from "vitest";
import type { HostConnection } from "../../../src/inventory/types.js";
import { type EndpointContext, expandPath, parseJumpSpec, resolveEndpoint } from "../../../src/transport/endpoint.js";
import { emptySshConfig, parseSshConfig } from "../../../src/transport/ssh-config.js";
import { hostConnectionFor } from "../../support/host-connection.js";

const target = (overrides: Partial<HostConnection> = {}): HostConnection => hostConnectionFor("web1", overrides);

const context = (config = "", overrides: Partial<EndpointContext> = {}): EndpointContext => ({
  sshConfig: config === "" ? emptySshConfig : parseSshConfig(config),
  home: "/home/ops",
  localUser: "ops",
  policy: undefined,
  globalKnownHostsFiles: ["/etc/ssh/ssh_known_hosts"],
  ...overrides,
});

const CONFIG = `
Host web*
  HostName 10.0.0.5
  User deploy
  Port 2222
  IdentityFile ~/.ssh/deploy_%r
  ProxyJump jump@bastion:2200
  UserKnownHostsFile ~/.ssh/kh_%h
  StrictHostKeyChecking accept-new
Host *
  User fallback
`;

describe("resolveEndpoint", () => {
  it("uses defaults when neither inventory nor ~/.ssh/config say anything", () => {
    expect(resolveEndpoint(target(), context())).toEqual({
      host: "web1",
      address: "web1",
      port: 22,
      user: "ops",
      identityFiles: ["/home/ops/.ssh/id_rsa", "/home/ops/.ssh/id_ecdsa", "/home/ops/.ssh/id_ed25519"],
      identityFilesConfigured: false,
      knownHostsFiles: ["/home/ops/.ssh/known_hosts", "/home/ops/.ssh/known_hosts2", "/etc/ssh/ssh_known_hosts"],
      recordFile: "/home/ops/.ssh/known_hosts",
      policy: "strict",
      jumps: [],
    });
  });

  it("takes HostName, User, Port, IdentityFile, ProxyJump, UserKnownHostsFile and StrictHostKeyChecking from ~/.ssh/config", () => {
    expect(resolveEndpoint(target(), context(CONFIG))).toEqual({
      host: "web1",
      address: "10.0.0.5",
      port: 2222,
      user: "deploy",
      identityFiles: ["/home/ops/.ssh/deploy_deploy"],
      identityFilesConfigured: true,
      knownHostsFiles: ["/home/ops/.ssh/kh_10.0.0.5", "/etc/ssh/ssh_known_hosts"],
      recordFile: "/home/ops/.ssh/kh_10.0.0.5",
      policy: "accept-new",
      jumps: [{ user: "jump", address: "bastion", port: 2200 }],
    });
  });

  it("lets inventory variables win over ~/.ssh/config", () => {
    const endpoint = resolveEndpoint(
      target({ port: 22, user: "root", privateKeyFile: "/keys/id", knownHostsFile: "/inv/kh", jump: { user: undefined, address: "b2", port: undefined } }),
      context(CONFIG, { policy: "strict" }),
    );
    expect(endpoint).toMatchObject({ address: "10.0.0.5", port: 22, user: "root", policy: "strict", recordFile: "/inv/kh" });
    expect(endpoint.identityFiles).toEqual(["/keys/id", "/home/ops/.ssh/deploy_root"]);
    expect(endpoint.knownHostsFiles[0]).toBe("/inv/kh");
    expect(endpoint.jumps).toEqual([{ user: undefined, address: "b2", port: undefined }]);
  });

  it("reads a ProxyJump chain outermost first and honours ProxyJump none", () => {
    expect(resolveEndpoint(target({ address: "db" }), context("Host db\n  ProxyJump a,u@b:23\n")).jumps).toEqual([
      { user: undefined, address: "a", port: undefined },
      { user: "u", address: "b", port: 23 },
    ]);
    expect(resolveEndpoint(target({ address: "db" }), context("Host db\n  ProxyJump none\n")).jumps).toEqual([]);
  });

  it.each([
    ["no", "off"],
    ["yes", "strict"],
    ["ask", "strict"],
  ])("StrictHostKeyChecking %s → %s", (value, policy) => {
    expect(resolveEndpoint(target(), context(`Host *\n  StrictHostKeyChecking ${value}\n`)).policy).toBe(policy);
  });

  it("refuses a StrictHostKeyChecking value it does not understand", () => {
    expect(() => resolveEndpoint(target(), context("Host *\n  StrictHostKeyChecking maybe\n"))).toThrow(/StrictHostKeyChecking maybe/);
  });
});

describe("parseJumpSpec", () => {
  it.each([
    ["bastion", { user: undefined, address: "bastion", port: undefined }],
    ["ops@10.0.0.1:2222", { user: "ops", address: "10.0.0.1", port: 2222 }],
    ["[::1]:22", { user: undefined, address: "::1", port: 22 }],
  ])("%s", (text, expected) => {
    expect(parseJumpSpec(text, "test")).toEqual(expected);
  });

  it("explains a spec it cannot read", () => {
    expect(() => parseJumpSpec("a b", "fleet_jump of web1")).toThrow(/fleet_jump of web1: cannot read jump host "a b"/);
  });
});

describe("expandPath", () => {
  it("expands ~ and the OpenSSH tokens", () => {
    const tokens = { home: "/h", localUser: "me", address: "10.0.0.1", port: 22, user: "root", alias: "web" };
    expect(expandPath("~/.ssh/%r@%h:%p-%n-%u-%d-%%", tokens)).toBe("/h/.ssh/root@10.0.0.1:22-web-me-/h-%");
    expect(expandPath("/abs/~x", tokens)).toBe("/abs/~x");
  });
});
