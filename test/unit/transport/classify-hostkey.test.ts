import { describe, expect, it } from "vitest";
import { classifyConnectError, type ConnectContext, type ConnectErrorFacts } from "../../../src/transport/classify.js";
import type { UnreachableKind } from "../../../src/transport/errors.js";
import { type KnownHostEntry, parseKnownHosts } from "../../../src/transport/known-hosts/parse.js";

/**
 * A host-key alarm ("possible man-in-the-middle") must come only from a host-key problem: an
 * authentication failure, a timeout or a refused connection to a host known_hosts lists is
 * reported as what it is. And the ssh-keygen -R hint must name the host as known_hosts does.
 */

const blob = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from("ssh-ed25519"), Buffer.from([0, 0, 0, 32]), Buffer.alloc(32, 1)]);

function entryAt(file: string, line: number, hosts: string): KnownHostEntry {
  const [entry] = parseKnownHosts(`${hosts} ssh-ed25519 ${blob.toString("base64")}`, file).entries;
  if (entry === undefined) throw new Error("test line did not parse");
  return { ...entry, line };
}

const userFile = "/home/ops/.ssh/known_hosts";
const systemFile = "/etc/ssh/ssh_known_hosts";
const known = entryAt(userFile, 4, "db.lab");

/** A host known_hosts lists: its algorithms are restricted, and (defensively) even a "known" verdict. */
const context = (overrides: Partial<ConnectContext> = {}): ConnectContext => ({
  host: "db",
  address: "db.lab",
  port: 22,
  user: "deploy",
  verdict: undefined,
  restrictedAlgorithms: ["ssh-ed25519"],
  knownHostsFiles: [userFile, systemFile],
  recordFile: userFile,
  authTried: ["key /home/ops/.ssh/id_ed25519", "ssh-agent"],
  keyProblems: [],
  connectTimeoutMs: 5_000,
  ...overrides,
});

const facts = (message: string, level?: string, code?: string): ConnectErrorFacts => ({ message, level, code });

const notHostKey: Array<{ name: string; facts: ConnectErrorFacts; kind: UnreachableKind; message: string }> = [
  {
    name: "authentication failure",
    facts: facts("All configured authentication methods failed", "client-authentication"),
    kind: "auth-failed",
    message: "db: authentication failed as deploy@db.lab:22 (tried key /home/ops/.ssh/id_ed25519, ssh-agent)",
  },
  {
    name: "a key that cannot sign",
    facts: facts("Error while signing with key: unsupported key", "client-authentication"),
    kind: "auth-failed",
    message: "db: authentication failed as deploy@db.lab:22 (tried key /home/ops/.ssh/id_ed25519, ssh-agent)",
  },
  {
    // the level decides: a message that mentions a host key is not a key-type mismatch at another level
    name: "authentication failure whose message mentions a host key",
    facts: facts("Authentication failed after the server host key was accepted", "client-authentication"),
    kind: "auth-failed",
    message: "db: authentication failed as deploy@db.lab:22 (tried key /home/ops/.ssh/id_ed25519, ssh-agent)",
  },
  { name: "handshake timeout", facts: facts("Timed out while waiting for handshake", "client-timeout"), kind: "timeout", message: "db: no SSH handshake from db.lab:22 within 5 s" },
  { name: "TCP connect timeout", facts: facts("connect ETIMEDOUT 10.0.0.5:22", "client-socket", "ETIMEDOUT"), kind: "timeout", message: "db: no SSH handshake from db.lab:22 within 5 s" },
  { name: "keepalive timeout", facts: facts("Keepalive timeout", "client-timeout"), kind: "connection-lost", message: "db: db.lab:22 stopped answering (keepalive timeout)" },
  { name: "connection refused", facts: facts("connect ECONNREFUSED 10.0.0.5:22", "client-socket", "ECONNREFUSED"), kind: "refused", message: "db: connection refused by db.lab:22" },
  { name: "reset", facts: facts("read ECONNRESET", "client-socket", "ECONNRESET"), kind: "connection-lost", message: "db: db.lab:22 closed the connection (ECONNRESET)" },
  { name: "closed before the banner", facts: facts("Connection lost before handshake"), kind: "connection-lost", message: "db: db.lab:22 closed the connection before the SSH handshake" },
  {
    name: "no common key exchange",
    facts: facts("Handshake failed: no matching key exchange algorithm", "handshake"),
    kind: "protocol",
    message: "db: SSH to db.lab:22 failed: Handshake failed: no matching key exchange algorithm",
  },
  { name: "no common cipher", facts: facts("Handshake failed: no matching C->S cipher", "handshake"), kind: "protocol", message: "db: SSH to db.lab:22 failed: Handshake failed: no matching C->S cipher" },
  { name: "malformed KEXINIT", facts: facts("Received malformed KEXINIT", "handshake"), kind: "protocol", message: "db: SSH to db.lab:22 failed: Received malformed KEXINIT" },
];

const hostKeyKinds: UnreachableKind[] = ["host-key-changed", "host-key-unknown", "host-key-revoked"];

describe("failures other than the host key, on a host known_hosts lists", () => {
  it.each(notHostKey)("$name → $kind, never a host-key alarm", ({ facts: given, kind, message }) => {
    for (const overrides of [{}, { verdict: { kind: "known", entry: known } as const }]) {
      const error = classifyConnectError(given, context(overrides));
      expect(error.kind).toBe(kind);
      expect(hostKeyKinds).not.toContain(error.kind);
      expect(error.message).toBe(message);
      expect(`${error.message} ${error.hint ?? ""}`).not.toMatch(/man-in-the-middle|known_hosts/);
    }
  });

  it("an authentication failure names what was tried and the keys that could not be used", () => {
    const error = classifyConnectError(facts("All configured authentication methods failed", "client-authentication"), context({ authTried: [], keyProblems: ["/k: bad passphrase", "/j: not found"] }));
    expect(error.kind).toBe("auth-failed");
    expect(error.message).toBe("db: authentication failed as deploy@db.lab:22: no usable key and no ssh-agent; unusable keys: /k: bad passphrase; /j: not found");
    expect(error.hint).toBe("check ansible_user and ansible_ssh_private_key_file, and that the public key is in the user's authorized_keys on the host");
  });
});

describe("a server that offers none of the key types known_hosts lists", () => {
  const noCommonType = facts("Handshake failed: no matching host key format", "handshake");

  it("is a changed host key when known_hosts restricted the types", () => {
    const error = classifyConnectError(noCommonType, context({ restrictedAlgorithms: ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"] }));
    expect(error.kind).toBe("host-key-changed");
    expect(error.message).toBe("db: db.lab:22 offers none of the host key types known_hosts lists for it (rsa-sha2-512, rsa-sha2-256, ssh-rsa): its keys changed, possible man-in-the-middle attack!");
    expect(error.hint).toBe(`verify the host's keys out of band; known_hosts files searched: ${userFile}, ${systemFile}`);
  });

  it("is a plain protocol failure when nothing restricted the types (the host is not in known_hosts)", () => {
    const error = classifyConnectError(noCommonType, context({ restrictedAlgorithms: undefined }));
    expect(error.kind).toBe("protocol");
    expect(error.message).toBe("db: SSH to db.lab:22 failed: Handshake failed: no matching host key format");
  });

  it("is not a host-key problem when the same words come at another level than the handshake", () => {
    const error = classifyConnectError(facts("Handshake failed: no matching host key format", "protocol"), context());
    expect(error.kind).toBe("protocol");
  });
});

describe("the ssh-keygen -R hint for a changed key names the host as known_hosts does", () => {
  const changed = (expected: KnownHostEntry[]): Partial<ConnectContext> => ({ verdict: { kind: "changed", keyType: "ssh-ed25519", fingerprint: "SHA256:new", expected } });
  const reinstalled = "if the host was really reinstalled, verify its new key out of band, then remove the old entry with: ssh-keygen -R";

  it.each([
    { address: "db.lab", port: 22, lookup: "db.lab", hint: `${reinstalled} db.lab -f ${userFile}` },
    { address: "db.lab", port: 2222, lookup: "[db.lab]:2222", hint: `${reinstalled} '[db.lab]:2222' -f ${userFile}` },
    { address: "10.0.0.5", port: 22, lookup: "10.0.0.5", hint: `${reinstalled} 10.0.0.5 -f ${userFile}` },
    { address: "10.0.0.5", port: 2222, lookup: "[10.0.0.5]:2222", hint: `${reinstalled} '[10.0.0.5]:2222' -f ${userFile}` },
    { address: "fe80::1", port: 22, lookup: "fe80::1", hint: `${reinstalled} fe80::1 -f ${userFile}` },
    { address: "fe80::1", port: 2222, lookup: "[fe80::1]:2222", hint: `${reinstalled} '[fe80::1]:2222' -f ${userFile}` },
  ])("$address port $port: ssh-keygen -R $lookup", ({ address, port, lookup, hint }) => {
    const entry = entryAt(userFile, 4, lookup);
    const error = classifyConnectError(facts("Host denied (verification failed)", "handshake"), context({ address, port, ...changed([entry]) }));
    expect(error.kind).toBe("host-key-changed");
    expect(error.hint).toBe(hint);
    expect(error.message).toBe(
      `db: REMOTE HOST KEY CHANGED for ${address}:${port}: possible man-in-the-middle attack! It presented ssh-ed25519 SHA256:new, which does not match known_hosts (${userFile}:4).`,
    );
  });

  it("points -f at the file of the first line that lists the host, not at the file new keys go to", () => {
    const error = classifyConnectError(
      facts("Host denied (verification failed)", "handshake"),
      context({ port: 2222, ...changed([entryAt(systemFile, 3, "*.lab"), entryAt(userFile, 7, "[db.lab]:2222")]) }),
    );
    expect(error.message).toBe(
      `db: REMOTE HOST KEY CHANGED for db.lab:2222: possible man-in-the-middle attack! It presented ssh-ed25519 SHA256:new, which does not match known_hosts (${systemFile}:3, ${userFile}:7).`,
    );
    expect(error.hint).toBe(`${reinstalled} '[db.lab]:2222' -f ${systemFile}`);
  });

  it("a changed key wins over whatever the handshake error said", () => {
    for (const given of [facts("All configured authentication methods failed", "client-authentication"), facts("connect ECONNREFUSED", "client-socket", "ECONNREFUSED")]) {
      expect(classifyConnectError(given, context(changed([known]))).kind).toBe("host-key-changed");
    }
  });

  // known_hosts names hosts in lower case (hostLookupName lowercases, and so does OpenSSH before
  // hashing): `ssh-keygen -R DB.Lab` would not find a hashed line for db.lab ("Host DB.Lab not found").
  it("with a mixed-case address, names the host in lower case, as known_hosts has it", () => {
    const error = classifyConnectError(facts("Host denied (verification failed)", "handshake"), context({ address: "DB.Lab", port: 2222, ...changed([entryAt(userFile, 4, "[db.lab]:2222")]) }));
    expect(error.hint).toBe(`${reinstalled} '[db.lab]:2222' -f ${userFile}`);
  });
});
