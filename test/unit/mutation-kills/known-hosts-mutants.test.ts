import { createHmac } from "node:crypto";
import { mkdirSync, mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { keyTypeOfBlob } from "../../../src/transport/known-hosts/key-blob.js";
import { entryMatchesHost, wildcardMatches } from "../../../src/transport/known-hosts/match.js";
import { type KnownHostEntry, parseKnownHosts } from "../../../src/transport/known-hosts/parse.js";
import { KnownHostsStore } from "../../../src/transport/known-hosts/store.js";
import { verifyHostKey } from "../../../src/transport/known-hosts/verify.js";
import { sshString } from "../transport/support/ssh-string.js";

/**
 * known_hosts decides whether fleet talks to a host at all. These tests pin what the mutation run
 * (test/mutation/) found unguarded: malformed key blobs, hashed names of the wrong size, lines that
 * must not speak for a host, and the store's caching and file handling.
 */

const recorded = sshString(Buffer.from("ssh-ed25519"), Buffer.alloc(32, 1));
const intruder = sshString(Buffer.from("ssh-ed25519"), Buffer.alloc(32, 2));
const b64 = (key: Buffer): string => key.toString("base64");
const entriesOf = (text: string): KnownHostEntry[] => parseKnownHosts(text, "/home/ops/.ssh/known_hosts").entries;

describe("keyTypeOfBlob on malformed blobs", () => {
  const lengthPrefix = (length: number): Buffer => {
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32BE(length);
    return prefix;
  };

  it("a zero-length type is no type", () => {
    expect(keyTypeOfBlob(Buffer.concat([lengthPrefix(0), Buffer.from("ssh-ed25519")]))).toBeUndefined();
  });

  it("a type of 64 bytes is read; one of 65 is refused as malformed", () => {
    const type64 = "t".repeat(64);
    expect(keyTypeOfBlob(sshString(Buffer.from(type64), Buffer.alloc(8)))).toBe(type64);
    expect(keyTypeOfBlob(sshString(Buffer.from("t".repeat(65)), Buffer.alloc(8)))).toBeUndefined();
  });

  it("a type that runs past the end of the blob is refused, not truncated", () => {
    expect(keyTypeOfBlob(Buffer.concat([lengthPrefix(11), Buffer.from("ssh-ed2")]))).toBeUndefined();
  });

  it("a blob that is exactly its type (no key material after it) still names the type", () => {
    expect(keyTypeOfBlob(sshString(Buffer.from("ssh-ed25519")))).toBe("ssh-ed25519");
  });
});

describe("host name matching", () => {
  it("wildcards match case-insensitively", () => {
    expect(wildcardMatches("*.LAB", "db.lab")).toBe(true);
    expect(wildcardMatches("DB.l?b", "db.LAB")).toBe(true);
  });

  it("a hashed name whose hash has the wrong size matches nothing (and does not throw)", () => {
    const salt = Buffer.alloc(20, 3);
    const truncated = createHmac("sha1", salt).update("db.lab").digest().subarray(0, 10);
    const entry: Pick<KnownHostEntry, "patterns"> = { patterns: [{ kind: "hashed", salt, hash: truncated }] };
    expect(entryMatchesHost(entry, "db.lab")).toBe(false);
  });
});

describe("which lines speak for a host", () => {
  it("a line listing only the negation of a name does not speak for that name", () => {
    const entries = entriesOf(`!db.lab ssh-ed25519 ${b64(recorded)}`);
    expect(verifyHostKey(entries, "db.lab", intruder).kind).toBe("unknown");
    expect(verifyHostKey(entries, "db.lab", recorded).kind).toBe("unknown");
  });

  it.each(["*", "??.lab", "*?"])("a line whose pattern is only wildcards (%s) speaks for the hosts it covers", (pattern) => {
    const entries = entriesOf(`${pattern} ssh-ed25519 ${b64(recorded)}`);
    expect(verifyHostKey(entries, "db.lab", recorded).kind).toBe("known");
    expect(verifyHostKey(entries, "db.lab", intruder).kind).toBe("changed");
  });
});

describe("KnownHostsStore", () => {
  const dir = (): string => mkdtempSync(join(tmpdir(), "fleet-kh-mutants-"));

  it("gives the same array for the same files until a key is recorded", async () => {
    const file = join(dir(), "known_hosts");
    writeFileSync(file, `h1 ssh-ed25519 ${b64(recorded)}\n`);
    const store = new KnownHostsStore();
    const first = await store.entries([file]);
    expect(await store.entries([file])).toBe(first);
    await store.record(file, "h2", "ssh-ed25519", intruder);
    const after = await store.entries([file]);
    expect(after).not.toBe(first);
    expect(after.map((entry) => entry.line)).toEqual([1, 2]);
  });

  it("reads (and warns about) each file once, however many file lists name it", async () => {
    const base = dir();
    const bad = join(base, "bad");
    writeFileSync(bad, "hostonly\n");
    const warnings: string[] = [];
    const store = new KnownHostsStore((message) => warnings.push(message));
    await store.entries([bad]);
    await store.entries([bad, join(base, "missing")]);
    expect(warnings).toEqual([`${bad}:1: ignored known_hosts line: expected: hosts keytype key`]);
  });

  it("creates a new known_hosts readable by its owner only", async () => {
    const file = join(dir(), "new", "known_hosts");
    await new KnownHostsStore().record(file, "h1", "ssh-ed25519", recorded);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(file, "..")).mode & 0o777).toBe(0o700);
  });

  it("treats a path under a regular file (ENOTDIR) as no file, like a missing one", async () => {
    const base = dir();
    writeFileSync(join(base, "plain"), "");
    expect(await new KnownHostsStore().entries([join(base, "plain", "known_hosts")])).toEqual([]);
  });

  it("refuses a known_hosts it cannot read for another reason, naming it and keeping the cause", async () => {
    const base = dir();
    const directory = join(base, "known_hosts");
    mkdirSync(directory);
    const error: unknown = await new KnownHostsStore().entries([directory]).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(new RegExp(`^${directory.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: .*EISDIR`));
    expect(((error as Error).cause as NodeJS.ErrnoException).code).toBe("EISDIR");
  });
});

describe("parseKnownHosts: what a line must be", () => {
  const key = b64(recorded);
  const reasonsOf = (text: string): string[] => parseKnownHosts(text, "kh").skipped.map((problem) => problem.reason);

  it("reads a plain entry as its patterns, lower-cased, negations apart", () => {
    expect(entriesOf(`DB.lab,!Web.LAB ssh-ed25519 ${key}`)[0]?.patterns).toEqual([
      { kind: "plain", pattern: "db.lab", negated: false },
      { kind: "plain", pattern: "web.lab", negated: true },
    ]);
  });

  it("ignores leading space, and reads fields separated by several spaces or tabs", () => {
    const { entries, skipped } = parseKnownHosts(`   # an indented comment\n  \t db.lab \t ssh-ed25519    ${key}  trailing comment\n`, "kh");
    expect(skipped).toEqual([]);
    expect(entries.map((entry) => [entry.line, entry.keyType])).toEqual([[2, "ssh-ed25519"]]);
    expect(entries[0]?.key.equals(recorded)).toBe(true);
  });

  it("refuses a key with characters outside base64 anywhere (Node's decoder would skip them)", () => {
    expect(reasonsOf(`db.lab ssh-ed25519 *${key}\ndb.lab ssh-ed25519 ${key}*\ndb.lab ssh-ed25519 not*base64`)).toEqual(["the key is not base64", "the key is not base64", "the key is not base64"]);
  });

  it("says why a line is skipped", () => {
    expect(reasonsOf("hostonly")).toEqual(["expected: hosts keytype key"]);
    expect(reasonsOf("db.lab ssh-ed25519")).toEqual(["expected: hosts keytype key"]);
    expect(reasonsOf("@revoked")).toEqual(["expected: hosts keytype key"]);
    expect(reasonsOf(`@bogus db.lab ssh-ed25519 ${key}`)).toEqual(["unknown marker @bogus"]);
    expect(reasonsOf(`db.lab ssh-rsa ${key}`)).toEqual(["the key says ssh-ed25519 but the line says ssh-rsa"]);
    expect(reasonsOf("db.lab ssh-rsa AAAA")).toEqual(["the key says nothing but the line says ssh-rsa"]);
  });

  it("a hosts field of commas only names no host", () => {
    expect(reasonsOf(`, ssh-ed25519 ${key}`)).toEqual(["no host pattern"]);
    expect(entriesOf(`db.lab,,web.lab, ssh-ed25519 ${key}`)[0]?.patterns.map((pattern) => (pattern.kind === "plain" ? pattern.pattern : "#"))).toEqual(["db.lab", "web.lab"]);
  });

  it.each([
    ["no hash", "|1|c2FsdA=="],
    ["a salt that is not base64", "|1|*salt*|aGFzaA=="],
    ["a hash that is not base64", "|1|c2FsdA==|*hash*"],
    ["an empty salt", "|1||aGFzaA=="],
  ])("refuses a hashed name with %s", (_name, hosts) => {
    expect(reasonsOf(`${hosts} ssh-ed25519 ${key}`)).toEqual([`bad hashed host ${hosts}`]);
  });
});
