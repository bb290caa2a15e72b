import { describe, expect, it } from "vitest";
import { classifyConnectError, type ConnectContext, type ConnectErrorFacts } from "../../../src/transport/classify.js";
import { parseKnownHosts } from "../../../src/transport/known-hosts/parse.js";

/** Failed connections classified by what went wrong: pinned where the mutation run found gaps. */

const blob = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from("ssh-ed25519"), Buffer.from([0, 0, 0, 32]), Buffer.alloc(32, 1)]);
const [entry] = parseKnownHosts(`@cert-authority *.lab ssh-ed25519 ${blob.toString("base64")}`, "/etc/ssh/ssh_known_hosts").entries;

const context = (overrides: Partial<ConnectContext> = {}): ConnectContext => ({
  host: "web1",
  address: "10.0.0.5",
  port: 2222,
  user: "deploy",
  verdict: undefined,
  restrictedAlgorithms: undefined,
  knownHostsFiles: ["/home/ops/.ssh/known_hosts"],
  recordFile: "/home/ops/.ssh/known_hosts",
  authTried: [],
  keyProblems: [],
  connectTimeoutMs: 10_000,
  ...overrides,
});

const facts = (message: string, level?: string, code?: string): ConnectErrorFacts => ({ message, level, code });

describe("classifyConnectError: socket errors", () => {
  it.each([
    ["EAI_AGAIN", "dns", "web1: cannot resolve 10.0.0.5"],
    ["ENOTFOUND", "dns", "web1: cannot resolve 10.0.0.5"],
    ["ENETUNREACH", "network", "web1: 10.0.0.5:2222 is unreachable (ENETUNREACH)"],
    ["EADDRNOTAVAIL", "network", "web1: 10.0.0.5:2222 is unreachable (EADDRNOTAVAIL)"],
    ["EHOSTUNREACH", "network", "web1: 10.0.0.5:2222 is unreachable (EHOSTUNREACH)"],
    ["EPIPE", "connection-lost", "web1: 10.0.0.5:2222 closed the connection (EPIPE)"],
    ["ECONNRESET", "connection-lost", "web1: 10.0.0.5:2222 closed the connection (ECONNRESET)"],
  ])("%s → %s", (code, kind, message) => {
    const error = classifyConnectError(facts(`connect ${code}`, "client-socket", code), context());
    expect(error.kind).toBe(kind);
    expect(error.message).toBe(message);
  });

  it("a DNS failure ssh2 reports by level only keeps its message", () => {
    const error = classifyConnectError(facts("getaddrinfo failed for web1", "client-dns"), context());
    expect(error.kind).toBe("dns");
    expect(error.message).toBe("web1: getaddrinfo failed for web1");
    expect(error.hint).toBe("check ansible_host");
  });

  it("an unknown code at another level is a protocol error, not a DNS one", () => {
    expect(classifyConnectError(facts("weird", "client-socket", "EWEIRD"), context()).kind).toBe("protocol");
  });
});

describe("classifyConnectError: a record error without a host-key verdict", () => {
  it("is not reported as an unknown host key: the connection error is what failed", () => {
    const error = classifyConnectError(facts("connect ECONNREFUSED", "client-socket", "ECONNREFUSED"), context({ recordError: "EACCES: permission denied" }));
    expect(error.kind).toBe("refused");
  });
});

describe("classifyConnectError: @cert-authority lines", () => {
  it("names every matching CA line, comma-separated", () => {
    const verdict = { kind: "unknown" as const, keyType: "ssh-ed25519", fingerprint: "SHA256:x", authorities: [{ ...entry!, line: 3 }, { ...entry!, line: 9 }] };
    const error = classifyConnectError(facts("Host denied", "handshake"), context({ verdict }));
    expect(error.message).toContain("a @cert-authority line matches the host (/etc/ssh/ssh_known_hosts:3, /etc/ssh/ssh_known_hosts:9)");
  });
});
