import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { classifyConnectError } from "../../../src/transport/classify.js";
import { hostLookupName } from "../../../src/transport/known-hosts/match.js";
import { parseKnownHosts } from "../../../src/transport/known-hosts/parse.js";
import { KnownHostsStore } from "../../../src/transport/known-hosts/store.js";
import { entriesForHost, hostKeyAlgorithmsFor, verifyHostKey } from "../../../src/transport/known-hosts/verify.js";

/**
 * Survivors of the mutation run (test/mutation/) in src/transport: known_hosts parsing, indexing
 * and recording, and the hint of a changed host key. Mutants no test can tell apart are listed in
 * test/mutation/equivalent-mutants.md instead.
 */

/** Reads of these paths fail once with EIO (a disk error): every other fs call is the real one. */
const readFaults = vi.hoisted(() => new Set<string>());

vi.mock("node:fs/promises", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:fs/promises")>();
  const readFile = ((path: Parameters<typeof actual.readFile>[0], ...rest: [BufferEncoding]) => {
    if (typeof path === "string" && readFaults.delete(path)) {
      return Promise.reject(Object.assign(new Error(`EIO: i/o error, read '${path}'`), { code: "EIO", syscall: "read", path }));
    }
    return actual.readFile(path, ...rest);
  }) as typeof actual.readFile;
  return { ...actual, readFile };
});

/** An ed25519 public key blob in SSH wire format (string "ssh-ed25519", string key). */
function ed25519(fill: number): Buffer {
  const type = Buffer.from("ssh-ed25519");
  const head = Buffer.alloc(4);
  head.writeUInt32BE(type.length);
  const keyHead = Buffer.alloc(4);
  keyHead.writeUInt32BE(32);
  return Buffer.concat([head, type, keyHead, Buffer.alloc(32, fill)]);
}

const recorded = ed25519(1);
const intruder = ed25519(2);
const key = recorded.toString("base64");

describe("parseKnownHosts: the salt and hash of a hashed name are base64 from end to end", () => {
  const reasonsOf = (text: string): string[] => parseKnownHosts(text, "kh").skipped.map((problem) => problem.reason);

  it.each([
    ["junk before the salt", "|1|*c2FsdA==|aGFzaA=="],
    ["junk after the salt", "|1|c2FsdA==*|aGFzaA=="],
    ["junk before the hash", "|1|c2FsdA==|*aGFzaA=="],
    ["junk after the hash", "|1|c2FsdA==|aGFzaA==*"],
  ])("a hashed name with %s is refused, not decoded around the junk", (_name, hosts) => {
    expect(reasonsOf(`${hosts} ssh-ed25519 ${key}`)).toEqual([`bad hashed host ${hosts}`]);
    expect(parseKnownHosts(`${hosts} ssh-ed25519 ${key}`, "kh").entries).toEqual([]);
  });

  it("the same hashed name without the junk is read (the refusal is about the junk)", () => {
    expect(parseKnownHosts(`|1|c2FsdA==|aGFzaA== ssh-ed25519 ${key}`, "kh").entries.map((entry) => entry.patterns[0]?.kind)).toEqual(["hashed"]);
  });
});

describe("verifyHostKey: a line of literal names speaks only for exactly those names", () => {
  // U+00B5 MICRO SIGN and U+03BC GREEK SMALL LETTER MU look alike and are both lower case, but are
  // different names; a case-insensitive regular expression (the wildcard matcher) would equate them.
  const micro = "\u00b5.lab";
  const mu = "\u03bc.lab";
  // parsed again for each check: verify.ts indexes an entries array once, so a shared array would
  // be indexed by whichever test ran first (and a mutant of the indexing tested by none)
  const freshEntries = (): ReturnType<typeof parseKnownHosts>["entries"] => parseKnownHosts(`${micro} ssh-ed25519 ${key}`, "/home/ops/.ssh/known_hosts").entries;

  it("the line vouches for its own name", () => {
    expect(verifyHostKey(freshEntries(), hostLookupName(micro, 22), recorded).kind).toBe("known");
    expect(verifyHostKey(freshEntries(), hostLookupName(micro, 22), intruder).kind).toBe("changed");
  });

  it("a look-alike name that only folds to the same letter is unknown there, not a changed key, and gets no algorithm restriction", () => {
    const lookup = hostLookupName(mu, 22);
    expect(entriesForHost(freshEntries(), lookup)).toEqual([]);
    expect(verifyHostKey(freshEntries(), lookup, intruder)).toMatchObject({ kind: "unknown", authorities: [] });
    expect(hostKeyAlgorithmsFor(freshEntries(), lookup)).toBeUndefined();
  });
});

describe("KnownHostsStore.record: a known_hosts that exists but cannot be read", () => {
  it("is not appended to blindly: the read error is raised and the file keeps its last line whole", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "fleet-kh-survivors-")), "known_hosts");
    // no newline at the end: a blind append would glue the new line onto the last key
    const before = `h1 ssh-ed25519 ${key}`;
    writeFileSync(file, before);
    const store = new KnownHostsStore();
    readFaults.add(file);
    await expect(store.record(file, "h2", "ssh-ed25519", intruder)).rejects.toMatchObject({ code: "EIO" });
    expect(readFaults.has(file)).toBe(false);
    expect(readFileSync(file, "utf8")).toBe(before);
  });

  it("the same file, readable, gets the new line after a newline of its own", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "fleet-kh-survivors-")), "known_hosts");
    writeFileSync(file, `h1 ssh-ed25519 ${key}`);
    await new KnownHostsStore().record(file, "h2", "ssh-ed25519", intruder);
    expect(readFileSync(file, "utf8")).toBe(`h1 ssh-ed25519 ${key}\nh2 ssh-ed25519 ${intruder.toString("base64")}\n`);
  });
});

describe("classifyConnectError: a changed key with no known_hosts line to name", () => {
  it("the ssh-keygen -R hint falls back to the file keys are recorded in", () => {
    const error = classifyConnectError(
      { message: "Host denied (verification failed)", level: "handshake", code: undefined },
      {
        host: "db",
        address: "db.lab",
        port: 22,
        user: "ops",
        verdict: { kind: "changed", keyType: "ssh-ed25519", fingerprint: "SHA256:new", expected: [] },
        restrictedAlgorithms: undefined,
        knownHostsFiles: ["/etc/ssh/ssh_known_hosts", "/home/ops/.ssh/known_hosts"],
        recordFile: "/home/ops/.ssh/fleet known_hosts",
        authTried: [],
        keyProblems: [],
        connectTimeoutMs: 10_000,
      },
    );
    expect(error.kind).toBe("host-key-changed");
    expect(error.hint).toBe("if the host was really reinstalled, verify its new key out of band, then remove the old entry with: ssh-keygen -R db.lab -f '/home/ops/.ssh/fleet known_hosts'");
  });
});
