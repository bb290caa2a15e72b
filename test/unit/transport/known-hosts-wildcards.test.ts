import { createHmac } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fingerprintOf } from "../../../src/transport/known-hosts/key-blob.js";
import { hostLookupName } from "../../../src/transport/known-hosts/match.js";
import { type KnownHostEntry, parseKnownHosts } from "../../../src/transport/known-hosts/parse.js";
import { KnownHostsStore } from "../../../src/transport/known-hosts/store.js";
import { entriesForHost, hostKeyAlgorithmsFor, verifyHostKey } from "../../../src/transport/known-hosts/verify.js";
import { sshString } from "./support/ssh-string.js";

/**
 * Which known_hosts lines speak for a host. verify.ts indexes lines that list only literal names
 * and scans the others (wildcards, negations, hashed names); a line put in the wrong bucket stops
 * speaking for the hosts its wildcard covers, and a changed key then reads as "unknown", which
 * accept-new would record: a man-in-the-middle's key accepted instead of refused.
 */

/** A deterministic SSH wire-format public key blob of the given type. */
const blob = (type: string, fill: number): Buffer => sshString(Buffer.from(type), Buffer.alloc(32, fill));
const b64 = (key: Buffer): string => key.toString("base64");

function hashed(name: string): string {
  const salt = Buffer.alloc(20, 9);
  return `|1|${salt.toString("base64")}|${createHmac("sha1", salt).update(name).digest("base64")}`;
}

const recorded = blob("ssh-ed25519", 1);
/** Another key of the same type: what a man-in-the-middle presents. */
const intruder = blob("ssh-ed25519", 2);
const rsa = sshString(Buffer.from("ssh-rsa"), Buffer.from([1, 0, 1]), Buffer.alloc(64, 7));

const entriesOf = (lines: readonly string[]): KnownHostEntry[] => {
  const parsed = parseKnownHosts(lines.join("\n"), "/home/ops/.ssh/known_hosts");
  expect(parsed.skipped).toEqual([]);
  return parsed.entries;
};

/** hosts field of a line that must speak for `lookup`. */
const speaksFor: Array<{ name: string; hosts: string; lookup: string }> = [
  { name: "wildcard only", hosts: "*.lab", lookup: "db.lab" },
  { name: "? wildcard", hosts: "db.l?b", lookup: "db.lab" },
  { name: "literal then wildcard", hosts: "known.host,*.lab", lookup: "db.lab" },
  { name: "wildcard then literal", hosts: "*.lab,known.host", lookup: "db.lab" },
  { name: "literal beside a wildcard, looked up by the literal", hosts: "known.host,*.lab", lookup: "known.host" },
  { name: "wildcard with a negation of another host", hosts: "*.lab,!web.lab", lookup: "db.lab" },
  { name: "literal with a negation of another host", hosts: "db.lab,!web.lab", lookup: "db.lab" },
  { name: "negation first, then the literal", hosts: "!web.lab,db.lab", lookup: "db.lab" },
  { name: "hashed name only", hosts: hashed("db.lab"), lookup: "db.lab" },
  { name: "hashed name beside a literal", hosts: `known.host,${hashed("db.lab")}`, lookup: "db.lab" },
  { name: "literal beside a hashed name, looked up by the literal", hosts: `${hashed("other.lab")},known.host`, lookup: "known.host" },
  { name: "[host]:port literal", hosts: "[db.lab]:2222", lookup: "[db.lab]:2222" },
  { name: "[host]:port with a wildcard host", hosts: "[*.lab]:2222", lookup: "[db.lab]:2222" },
  { name: "[host]:port with a wildcard port", hosts: "[db.lab]:*", lookup: "[db.lab]:2222" },
  { name: "literal beside a [wildcard]:port", hosts: "known.host,[*.lab]:2222", lookup: "[db.lab]:2222" },
  { name: "hashed [host]:port", hosts: hashed("[db.lab]:2222"), lookup: "[db.lab]:2222" },
  { name: "hashed [host]:port beside a literal", hosts: `known.host,${hashed("[db.lab]:2222")}`, lookup: "[db.lab]:2222" },
  { name: "upper-case line, lower-case lookup", hosts: "KNOWN.HOST,*.LAB", lookup: "db.lab" },
];

/** hosts field of a line that must NOT speak for `lookup`, though it names it or covers it. */
const silentFor: Array<{ name: string; hosts: string; lookup: string }> = [
  { name: "negated literal beside a literal", hosts: "db.lab,!web.lab", lookup: "web.lab" },
  { name: "negated literal beside a wildcard", hosts: "*.lab,!web.lab", lookup: "web.lab" },
  { name: "negated before the wildcard", hosts: "!web.lab,*.lab", lookup: "web.lab" },
  { name: "negated wildcard beside a literal", hosts: "web.lab,!*.lab", lookup: "web.lab" },
  { name: "wildcard for another domain beside a literal", hosts: "known.host,*.prod", lookup: "db.lab" },
  { name: "port 22 lookup against a [host]:port line", hosts: "[db.lab]:2222", lookup: "db.lab" },
  { name: "port 22 lookup against a [wildcard]:port line", hosts: "known.host,[*.lab]:2222", lookup: "db.lab" },
  { name: "other port against a plain wildcard line", hosts: "*.lab", lookup: "[db.lab]:2222" },
  { name: "hashed name of another host beside a literal", hosts: `known.host,${hashed("other.lab")}`, lookup: "db.lab" },
];

describe("known_hosts lines with wildcards, negations, hashed names and ports", () => {
  it.each(speaksFor)("$name ($hosts): the recorded key is known for $lookup", ({ hosts, lookup }) => {
    const entries = entriesOf([`${hosts} ssh-ed25519 ${b64(recorded)}`]);
    expect(verifyHostKey(entries, lookup, recorded)).toEqual({ kind: "known", entry: entries[0] });
  });

  it.each(speaksFor)("$name ($hosts): another key of the same type for $lookup is CHANGED, not unknown", ({ hosts, lookup }) => {
    const entries = entriesOf([`${hosts} ssh-ed25519 ${b64(recorded)}`]);
    expect(verifyHostKey(entries, lookup, intruder)).toEqual({ kind: "changed", keyType: "ssh-ed25519", fingerprint: fingerprintOf(intruder), expected: [entries[0]] });
  });

  it.each(speaksFor)("$name ($hosts): a key of another type for $lookup is CHANGED too, and only the recorded type is offered", ({ hosts, lookup }) => {
    const entries = entriesOf([`${hosts} ssh-ed25519 ${b64(recorded)}`]);
    expect(verifyHostKey(entries, lookup, rsa)).toEqual({ kind: "changed", keyType: "ssh-rsa", fingerprint: fingerprintOf(rsa), expected: [entries[0]] });
    expect(hostKeyAlgorithmsFor(entries, lookup)).toEqual(["ssh-ed25519"]);
  });

  it.each(silentFor)("$name ($hosts): says nothing about $lookup", ({ hosts, lookup }) => {
    const entries = entriesOf([`${hosts} ssh-ed25519 ${b64(recorded)}`]);
    expect(entriesForHost(entries, lookup)).toEqual([]);
    expect(verifyHostKey(entries, lookup, recorded)).toEqual({ kind: "unknown", keyType: "ssh-ed25519", fingerprint: fingerprintOf(recorded), authorities: [] });
    expect(hostKeyAlgorithmsFor(entries, lookup)).toBeUndefined();
  });

  it("a negated host stays excluded when another line names it literally with another key", () => {
    const entries = entriesOf([`*.lab,!web.lab ssh-ed25519 ${b64(recorded)}`, `web.lab ssh-rsa ${b64(rsa)}`]);
    expect(verifyHostKey(entries, "web.lab", rsa)).toEqual({ kind: "known", entry: entries[1] });
    expect(verifyHostKey(entries, "web.lab", recorded)).toEqual({ kind: "changed", keyType: "ssh-ed25519", fingerprint: fingerprintOf(recorded), expected: [entries[1]] });
  });

  it("lists every line that speaks for the host, literal or not, in file order", () => {
    const lines = [
      `*.lab ssh-ed25519 ${b64(blob("ssh-ed25519", 11))}`,
      `db.lab ssh-ed25519 ${b64(blob("ssh-ed25519", 12))}`,
      `*.lab,!db.lab ssh-ed25519 ${b64(blob("ssh-ed25519", 13))}`,
      `known.host,*.lab ssh-ed25519 ${b64(blob("ssh-ed25519", 14))}`,
      `db.lab,web.lab ssh-ed25519 ${b64(blob("ssh-ed25519", 15))}`,
      `${hashed("db.lab")} ssh-ed25519 ${b64(blob("ssh-ed25519", 16))}`,
      `web.lab ssh-ed25519 ${b64(blob("ssh-ed25519", 17))}`,
    ];
    const entries = entriesOf(lines);
    const verdict = verifyHostKey(entries, "db.lab", intruder);
    expect(verdict.kind).toBe("changed");
    expect(verdict.kind === "changed" ? verdict.expected.map((entry) => entry.line) : []).toEqual([1, 2, 4, 5, 6]);
    expect(entriesForHost(entries, "web.lab").map((entry) => entry.line)).toEqual([1, 3, 4, 5, 7]);
    // a key listed on any of them is known, whichever bucket its line is in
    for (const line of [1, 2, 4, 5, 6]) {
      const key = blob("ssh-ed25519", 10 + line);
      expect(verifyHostKey(entries, "db.lab", key)).toEqual({ kind: "known", entry: entries[line - 1] });
    }
  });

  it("a line naming the host twice is listed once", () => {
    const entries = entriesOf([`db.lab,DB.LAB,known.host ssh-ed25519 ${b64(recorded)}`]);
    expect(verifyHostKey(entries, "db.lab", intruder)).toEqual({ kind: "changed", keyType: "ssh-ed25519", fingerprint: fingerprintOf(intruder), expected: [entries[0]] });
  });

  it("offers the algorithms of every key type recorded under a wildcard or hashed line", () => {
    const entries = entriesOf([`known.host,*.lab ssh-rsa ${b64(rsa)}`, `${hashed("db.lab")} ssh-ed25519 ${b64(recorded)}`]);
    expect(hostKeyAlgorithmsFor(entries, "db.lab")).toEqual(["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa", "ssh-ed25519"]);
  });

  it.each(["db.lab", "*.lab", "known.host,*.lab"])("@cert-authority and @revoked lines for %s do not make db.lab known, nor its key changed", (hosts) => {
    const entries = entriesOf([`@cert-authority ${hosts} ssh-ed25519 ${b64(recorded)}`, `@revoked ${hosts} ssh-rsa ${b64(rsa)}`]);
    expect(entriesForHost(entries, "db.lab")).toEqual([]);
    expect(hostKeyAlgorithmsFor(entries, "db.lab")).toBeUndefined();
    for (const key of [recorded, intruder]) {
      expect(verifyHostKey(entries, "db.lab", key)).toEqual({ kind: "unknown", keyType: "ssh-ed25519", fingerprint: fingerprintOf(key), authorities: [entries[0]] });
    }
  });

  it("a @revoked wildcard line refuses the key for every host it covers", () => {
    const entries = entriesOf([`db.lab ssh-ed25519 ${b64(recorded)}`, `@revoked *.lab ssh-ed25519 ${b64(recorded)}`]);
    expect(verifyHostKey(entries, "db.lab", recorded)).toEqual({ kind: "revoked", fingerprint: fingerprintOf(recorded), entry: entries[1] });
  });
});

describe("the verdict on an unknown or changed key names the key's own type", () => {
  it.each([
    { type: "ssh-ed25519", key: blob("ssh-ed25519", 3) },
    { type: "ecdsa-sha2-nistp256", key: blob("ecdsa-sha2-nistp256", 4) },
    { type: "ssh-rsa", key: rsa },
  ])("unknown $type key: the full verdict", ({ type, key }) => {
    const entries = entriesOf([`other.lab ssh-ed25519 ${b64(recorded)}`]);
    expect(verifyHostKey(entries, "db.lab", key)).toEqual({ kind: "unknown", keyType: type, fingerprint: fingerprintOf(key), authorities: [] });
  });

  it.each([
    { type: "ssh-ed25519", key: intruder },
    { type: "ecdsa-sha2-nistp256", key: blob("ecdsa-sha2-nistp256", 4) },
  ])("changed to a $type key: the full verdict", ({ type, key }) => {
    const entries = entriesOf([`db.lab ssh-ed25519 ${b64(recorded)}`]);
    expect(verifyHostKey(entries, "db.lab", key)).toEqual({ kind: "changed", keyType: type, fingerprint: fingerprintOf(key), expected: [entries[0]] });
  });

  it("a blob that names no key type is judged with the type \"unknown\"", () => {
    const malformed = Buffer.from([0, 0, 0]);
    expect(verifyHostKey(entriesOf([`db.lab ssh-ed25519 ${b64(recorded)}`]), "db.lab", malformed)).toEqual({
      kind: "changed",
      keyType: "unknown",
      fingerprint: fingerprintOf(malformed),
      expected: expect.any(Array),
    });
    expect(verifyHostKey([], "db.lab", malformed)).toMatchObject({ kind: "unknown", keyType: "unknown" });
  });

  it.each([
    { address: "db.lab", port: 22, name: "db.lab" },
    { address: "DB.Lab", port: 22, name: "db.lab" },
    { address: "db.lab", port: 2222, name: "[db.lab]:2222" },
  ])("accept-new of $address:$port records `$name <type> <base64>`, and the next lookup finds it", async ({ address, port, name }) => {
    const file = join(mkdtempSync(join(tmpdir(), "fleet-kh-wild-")), "known_hosts");
    const store = new KnownHostsStore();
    const lookup = hostLookupName(address, port);
    const key = blob("ecdsa-sha2-nistp256", 5);
    const verdict = verifyHostKey(await store.entries([file]), lookup, key);
    expect(verdict).toEqual({ kind: "unknown", keyType: "ecdsa-sha2-nistp256", fingerprint: fingerprintOf(key), authorities: [] });
    if (verdict.kind !== "unknown") return;
    // what ssh.ts does with an unknown key under accept-new
    await store.record(file, lookup, verdict.keyType, key);
    expect(readFileSync(file, "utf8")).toBe(`${name} ecdsa-sha2-nistp256 ${b64(key)}\n`);
    const again = await new KnownHostsStore().entries([file]);
    expect(verifyHostKey(again, lookup, key)).toMatchObject({ kind: "known", entry: { line: 1, keyType: "ecdsa-sha2-nistp256" } });
  });
});
