import { describe, expect, it } from "vitest";
import { classifyConnectError, type ConnectContext, type ConnectErrorFacts } from "../../../src/transport/classify.js";
import type { UnreachableKind } from "../../../src/transport/errors.js";
import { parseKnownHosts } from "../../../src/transport/known-hosts/parse.js";

const blob = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from("ssh-ed25519"), Buffer.from([0, 0, 0, 32]), Buffer.alloc(32, 1)]);
const [entry] = parseKnownHosts(`10.0.0.5 ssh-ed25519 ${blob.toString("base64")}`, "/home/ops/.ssh/known_hosts").entries;

const context = (overrides: Partial<ConnectContext> = {}): ConnectContext => ({
  host: "web1",
  address: "10.0.0.5",
  port: 22,
  user: "deploy",
  verdict: undefined,
  restrictedAlgorithms: undefined,
  knownHostsFiles: ["/home/ops/.ssh/known_hosts"],
  recordFile: "/home/ops/.ssh/known_hosts",
  authTried: ["key /home/ops/.ssh/id_ed25519"],
  keyProblems: [],
  connectTimeoutMs: 10_000,
  ...overrides,
});

const facts = (message: string, level?: string, code?: string): ConnectErrorFacts => ({ message, level, code });

describe("classifyConnectError", () => {
  it.each<{ name: string; facts: ConnectErrorFacts; context?: Partial<ConnectContext>; kind: UnreachableKind; message: RegExp }>([
    { name: "refused", facts: facts("connect ECONNREFUSED", "client-socket", "ECONNREFUSED"), kind: "refused", message: /^web1: connection refused by 10\.0\.0\.5:22$/ },
    { name: "handshake timeout", facts: facts("Timed out while waiting for handshake", "client-timeout"), kind: "timeout", message: /no SSH handshake from 10\.0\.0\.5:22 within 10 s/ },
    { name: "keepalive", facts: facts("Keepalive timeout", "client-timeout"), kind: "connection-lost", message: /stopped answering \(keepalive timeout\)/ },
    { name: "dns", facts: facts("getaddrinfo ENOTFOUND web1", "client-socket", "ENOTFOUND"), kind: "dns", message: /cannot resolve 10\.0\.0\.5/ },
    { name: "no route", facts: facts("connect EHOSTUNREACH", "client-socket", "EHOSTUNREACH"), kind: "network", message: /unreachable \(EHOSTUNREACH\)/ },
    { name: "reset", facts: facts("read ECONNRESET", "client-socket", "ECONNRESET"), kind: "connection-lost", message: /closed the connection \(ECONNRESET\)/ },
    { name: "closed before banner", facts: facts("Connection lost before handshake", "protocol"), kind: "connection-lost", message: /before the SSH handshake/ },
    { name: "auth", facts: facts("All configured authentication methods failed", "client-authentication"), context: { keyProblems: ["/k: bad passphrase"] }, kind: "auth-failed", message: /authentication failed as deploy@10\.0\.0\.5:22 \(tried key \/home\/ops\/\.ssh\/id_ed25519\); unusable keys: \/k: bad passphrase/ },
    { name: "unknown host key", facts: facts("Host denied (verification failed)", "handshake"), context: { verdict: { kind: "unknown", keyType: "ssh-ed25519", fingerprint: "SHA256:abc", authorities: [] } }, kind: "host-key-unknown", message: /not in known_hosts \(ssh-ed25519 SHA256:abc\)/ },
    { name: "changed host key", facts: facts("Host denied (verification failed)", "handshake"), context: { verdict: { kind: "changed", keyType: "ssh-ed25519", fingerprint: "SHA256:new", expected: [entry!] } }, kind: "host-key-changed", message: /REMOTE HOST KEY CHANGED for 10\.0\.0\.5:22: possible man-in-the-middle attack! .*known_hosts:1/ },
    { name: "revoked", facts: facts("Host denied (verification failed)", "handshake"), context: { verdict: { kind: "revoked", fingerprint: "SHA256:old", entry: entry! } }, kind: "host-key-revoked", message: /marked @revoked/ },
    { name: "no common host key type", facts: facts("Handshake failed: no matching host key format", "handshake"), context: { restrictedAlgorithms: ["ssh-ed25519"] }, kind: "host-key-changed", message: /offers none of the host key types known_hosts lists for it \(ssh-ed25519\)/ },
    { name: "anything else", facts: facts("Bad packet length", "protocol"), kind: "protocol", message: /SSH to 10\.0\.0\.5:22 failed: Bad packet length/ },
  ])("$name → $kind", ({ facts: given, context: overrides, kind, message }) => {
    const error = classifyConnectError(given, context(overrides));
    expect(error.kind).toBe(kind);
    expect(error.message).toMatch(message);
    expect(error.hint).toBeTruthy();
  });

  it("gives the exact commands to fix an unknown or changed key, with [host]:port off port 22", () => {
    const unknown = classifyConnectError(facts("Host denied", "handshake"), context({ port: 2222, verdict: { kind: "unknown", keyType: "ssh-ed25519", fingerprint: "SHA256:x", authorities: [] } }));
    expect(unknown.hint).toBe("check the fingerprint out of band, then add it: ssh-keyscan -p 2222 10.0.0.5 >> /home/ops/.ssh/known_hosts (or run once with --host-key-checking accept-new)");
    const changed = classifyConnectError(facts("Host denied", "handshake"), context({ port: 2222, verdict: { kind: "changed", keyType: "ssh-ed25519", fingerprint: "SHA256:x", expected: [entry!] } }));
    expect(changed.hint).toContain("ssh-keygen -R '[10.0.0.5]:2222' -f /home/ops/.ssh/known_hosts");
  });

  it("says that host certificates are not supported when a @cert-authority line matches an unknown host", () => {
    const error = classifyConnectError(facts("Host denied", "handshake"), context({ verdict: { kind: "unknown", keyType: "ssh-ed25519", fingerprint: "SHA256:x", authorities: [{ ...entry!, marker: "cert-authority", line: 7 }] } }));
    expect(error.kind).toBe("host-key-unknown");
    expect(error.message).toMatch(/a @cert-authority line matches the host \(.*:7\), but fleet does not support host certificates$/);
    expect(error.hint).toMatch(/^add the host's own key beside the CA line, after checking it out of band: ssh-keyscan -p 22 /);
  });

  it("says so when accept-new could not record the key, instead of blaming strict checking", () => {
    const error = classifyConnectError(facts("Host denied", "handshake"), context({ recordError: "EACCES: permission denied", verdict: { kind: "unknown", keyType: "ssh-ed25519", fingerprint: "SHA256:x", authorities: [] } }));
    expect(error.kind).toBe("host-key-unknown");
    expect(error.message).toMatch(/could not be recorded in \/home\/ops\/.ssh\/known_hosts: EACCES: permission denied$/);
    expect(error.message).not.toMatch(/strict/);
    expect(error.hint).toMatch(/^make \/home\/ops\/.ssh\/known_hosts writable/);
  });

  it("quotes every value a hint asks the user to paste into a shell; on port 22 the host is named plainly", () => {
    const hostile = "/tmp/kh dir/known hosts;id";
    const changed = classifyConnectError(facts("Host denied", "handshake"), context({ port: 22, recordFile: hostile, verdict: { kind: "changed", keyType: "ssh-ed25519", fingerprint: "SHA256:x", expected: [{ ...entry!, file: hostile }] } }));
    expect(changed.hint).toContain("ssh-keygen -R 10.0.0.5 -f '/tmp/kh dir/known hosts;id'");
    const unknown = classifyConnectError(facts("Host denied", "handshake"), context({ port: 22, recordFile: hostile, verdict: { kind: "unknown", keyType: "ssh-ed25519", fingerprint: "SHA256:x", authorities: [] } }));
    expect(unknown.hint).toContain(">> '/tmp/kh dir/known hosts;id'");
  });
});
