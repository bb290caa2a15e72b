import { createHmac, generateKeyPairSync } from "node:crypto";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fingerprintOf, keyTypeOfBlob } from "../../../src/transport/known-hosts/key-blob.js";
import { entryMatchesHost, hostLookupName, wildcardMatches } from "../../../src/transport/known-hosts/match.js";
import { parseKnownHosts } from "../../../src/transport/known-hosts/parse.js";
import { KnownHostsStore } from "../../../src/transport/known-hosts/store.js";
import { hostKeyAlgorithmsFor, verifyHostKey } from "../../../src/transport/known-hosts/verify.js";
import { sshString } from "./support/ssh-string.js";

/** An SSH wire-format ed25519 public key blob. */
function ed25519Blob(): Buffer {
  const { publicKey } = generateKeyPairSync("ed25519");
  const raw = publicKey.export({ format: "der", type: "spki" }).subarray(-32);
  return sshString(Buffer.from("ssh-ed25519"), raw);
}

function rsaLikeBlob(): Buffer {
  return sshString(Buffer.from("ssh-rsa"), Buffer.from([1, 0, 1]), Buffer.alloc(64, 7));
}

const b64 = (blob: Buffer): string => blob.toString("base64");

function hashed(name: string): string {
  const salt = Buffer.alloc(20, 3);
  return `|1|${salt.toString("base64")}|${createHmac("sha1", salt).update(name).digest("base64")}`;
}

describe("hostLookupName", () => {
  it.each([
    ["Example.COM", 22, "example.com"],
    ["127.0.1.1", 2222, "[127.0.1.1]:2222"],
  ])("%s:%d → %s", (address, port, expected) => {
    expect(hostLookupName(address, port)).toBe(expected);
  });
});

describe("host pattern matching", () => {
  it.each([
    ["*.example.com", "web.example.com", true],
    ["*.example.com", "example.com", false],
    ["10.0.0.?", "10.0.0.7", true],
    ["10.0.0.?", "10.0.0.17", false],
    ["[10.0.0.*]:2222", "[10.0.0.5]:2222", true],
    ["a.b", "axb", false],
  ])("%s vs %s → %s", (pattern, name, expected) => {
    expect(wildcardMatches(pattern, name)).toBe(expected);
  });

  it.each([
    ["web1,web2", "web2", true],
    ["*.corp,!db.corp", "db.corp", false],
    ["*.corp,!db.corp", "app.corp", true],
    ["!db.corp", "app.corp", false],
    [hashed("[127.0.1.1]:2222"), "[127.0.1.1]:2222", true],
    [hashed("[127.0.1.1]:2222"), "127.0.1.1", false],
    [`other,${hashed("h1")}`, "h1", true],
  ])("line hosts %s vs %s → %s", (hosts, name, expected) => {
    const { entries } = parseKnownHosts(`${hosts} ssh-rsa ${b64(rsaLikeBlob())}`, "kh");
    expect(entries).toHaveLength(1);
    expect(entryMatchesHost(entries[0]!, name)).toBe(expected);
  });
});

describe("parseKnownHosts", () => {
  it("reads markers, comments, and reports bad lines with their numbers", () => {
    const key = ed25519Blob();
    const text = [
      "# comment",
      "",
      `host1 ssh-ed25519 ${b64(key)} a comment`,
      `@revoked * ssh-ed25519 ${b64(key)}`,
      `@cert-authority *.corp ssh-ed25519 ${b64(key)}`,
      "host2 ssh-ed25519 not*base64",
      `host3 ssh-rsa ${b64(key)}`,
      `@bogus host4 ssh-ed25519 ${b64(key)}`,
      "host5",
    ].join("\n");
    const { entries, skipped } = parseKnownHosts(text, "kh");
    expect(entries.map((entry) => [entry.line, entry.marker])).toEqual([[3, null], [4, "revoked"], [5, "cert-authority"]]);
    expect(skipped.map((problem) => problem.line)).toEqual([6, 7, 8, 9]);
    expect(skipped[1]?.reason).toContain("ssh-ed25519");
  });

  it("decodes the key type and the OpenSSH fingerprint of a blob", () => {
    const key = ed25519Blob();
    expect(keyTypeOfBlob(key)).toBe("ssh-ed25519");
    expect(fingerprintOf(key)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(keyTypeOfBlob(Buffer.from([0, 0, 0]))).toBeUndefined();
  });
});

describe("verifyHostKey", () => {
  const good = ed25519Blob();
  const other = ed25519Blob();
  const rsa = rsaLikeBlob();

  it.each([
    { name: "known key", lines: [`h1 ssh-ed25519 ${b64(good)}`], presented: good, verdict: "known" },
    { name: "known under a hashed name", lines: [`${hashed("[h1]:2222")} ssh-ed25519 ${b64(good)}`], presented: good, lookup: "[h1]:2222", verdict: "known" },
    { name: "unknown host", lines: [`h2 ssh-ed25519 ${b64(good)}`], presented: good, verdict: "unknown" },
    { name: "changed key", lines: [`h1 ssh-ed25519 ${b64(good)}`], presented: other, verdict: "changed" },
    { name: "known with another type only", lines: [`h1 ssh-rsa ${b64(rsa)}`], presented: good, verdict: "changed" },
    { name: "one of two keys matches", lines: [`h1 ssh-rsa ${b64(rsa)}`, `h1 ssh-ed25519 ${b64(good)}`], presented: good, verdict: "known" },
    { name: "revoked even if listed", lines: [`h1 ssh-ed25519 ${b64(good)}`, `@revoked otherhost ssh-ed25519 ${b64(good)}`], presented: good, verdict: "revoked" },
    { name: "negated pattern excludes", lines: [`*,!h1 ssh-ed25519 ${b64(good)}`], presented: good, verdict: "unknown" },
    { name: "a CA line does not make a host known", lines: [`@cert-authority h1 ssh-ed25519 ${b64(good)}`], presented: good, verdict: "unknown" },
  ])("$name → $verdict", ({ lines, presented, lookup, verdict }) => {
    const { entries } = parseKnownHosts(lines.join("\n"), "kh");
    expect(verifyHostKey(entries, lookup ?? "h1", presented).kind).toBe(verdict);
  });

  it("names the @cert-authority lines that match an unknown host (fleet cannot use them), and only those", () => {
    const { entries } = parseKnownHosts([`@cert-authority *.lab ssh-ed25519 ${b64(other)}`, `@cert-authority db.prod ssh-ed25519 ${b64(other)}`].join("\n"), "kh");
    const verdict = verifyHostKey(entries, "web.lab", good);
    expect(verdict.kind === "unknown" ? verdict.authorities.map((entry) => entry.line) : undefined).toEqual([1]);
    const elsewhere = verifyHostKey(entries, "web.prod", good);
    expect(elsewhere.kind === "unknown" ? elsewhere.authorities : undefined).toEqual([]);
  });

  it("restricts host-key algorithms to the key types known for the host", () => {
    const { entries } = parseKnownHosts([`h1 ssh-rsa ${b64(rsa)}`, `h1 ssh-ed25519 ${b64(good)}`, `h2 ecdsa-sha2-nistp256 ${b64(sshString(Buffer.from("ecdsa-sha2-nistp256")))}`].join("\n"), "kh");
    expect(hostKeyAlgorithmsFor(entries, "h1")).toEqual(["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa", "ssh-ed25519"]);
    expect(hostKeyAlgorithmsFor(entries, "h3")).toBeUndefined();
  });
});

describe("KnownHostsStore", () => {
  it("records new keys atomically, serially, and sees them in the same run", async () => {
    const dir = await mkdtemp(join(tmpdir(), "fleet-kh-"));
    const file = join(dir, "sub", "known_hosts");
    const store = new KnownHostsStore();
    const keys = Array.from({ length: 5 }, () => ed25519Blob());
    await Promise.all(keys.map((key, index) => store.record(file, `[h${index}]:2222`, "ssh-ed25519", key)));
    const text = await readFile(file, "utf8");
    expect(text.trim().split("\n")).toHaveLength(5);
    const entries = await store.entries([file]);
    expect(verifyHostKey(entries, "[h3]:2222", keys[3]!).kind).toBe("known");
  });

  it("treats a missing file as empty and warns about bad lines", async () => {
    const dir = await mkdtemp(join(tmpdir(), "fleet-kh-"));
    const warnings: string[] = [];
    const store = new KnownHostsStore((message) => warnings.push(message));
    await writeFile(join(dir, "bad"), "hostonly\n");
    expect(await store.entries([join(dir, "missing"), join(dir, "bad")])).toEqual([]);
    expect(warnings).toEqual([`${join(dir, "bad")}:1: ignored known_hosts line: expected: hosts keytype key`]);
  });
});
