import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { KeyCache, type KeyParser } from "../../../src/transport/key-cache.js";

/** A stand-in parser: "plain:X" parses to X, "locked:X" needs the passphrase "pw". */
const parser: { calls: number; parse: KeyParser<string> } = {
  calls: 0,
  parse(data, passphrase) {
    parser.calls += 1;
    const [kind, value] = data.toString().split(":");
    if (kind === "plain") return value ?? "";
    if (kind !== "locked") return new Error("unsupported key format");
    if (passphrase === undefined) return new Error("Encrypted private OpenSSH key detected, but no passphrase given");
    return passphrase === "pw" ? (value ?? "") : new Error("OpenSSH key integrity check failed -- bad passphrase?");
  },
};

function keyFile(content: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "fleet-keys-")), "id");
  writeFileSync(file, content);
  return file;
}

describe("KeyCache", () => {
  it("reads and parses each file once however many hosts ask for it", async () => {
    const file = keyFile("plain:K1");
    const cache = new KeyCache(parser.parse, async () => undefined);
    parser.calls = 0;
    const loads = await Promise.all(Array.from({ length: 50 }, () => cache.load(file)));
    expect(loads.every((load) => load.kind === "key" && load.key === "K1")).toBe(true);
    expect(parser.calls).toBe(1);
  });

  it("asks for a passphrase once per encrypted key", async () => {
    const file = keyFile("locked:K2");
    const asked: string[] = [];
    const cache = new KeyCache(parser.parse, async (name) => (asked.push(name), "pw"));
    const loads = await Promise.all([cache.load(file), cache.load(file), cache.load(file)]);
    expect(loads.map((load) => load.kind === "key" && load.key)).toEqual(["K2", "K2", "K2"]);
    expect(asked).toEqual([file]);
  });

  it.each([
    ["locked:K3", undefined, /encrypted and no passphrase was given/],
    ["locked:K3", "wrong", /bad passphrase/],
    ["garbage", undefined, /unsupported key format/],
  ] as const)("reports %s as a problem, not a crash", async (content, passphrase, problem) => {
    const load = await new KeyCache(parser.parse, () => Promise.resolve<string | undefined>(passphrase)).load(keyFile(content));
    expect(load.kind).toBe("problem");
    expect(load.kind === "problem" && load.problem).toMatch(problem);
  });

  it("tells an absent file from an unreadable one", async () => {
    const cache = new KeyCache(parser.parse, async () => undefined);
    expect((await cache.load("/nonexistent/key")).kind).toBe("absent");
    const directory = mkdtempSync(path.join(tmpdir(), "fleet-keys-"));
    const load = await cache.load(directory);
    expect(load.kind === "problem" && load.problem).toMatch(/cannot read the key file \(EISDIR\)/);
  });
});
