import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fileContent } from "../../../src/facts/file.js";
import { fileDigest, sha256OfText } from "../../../src/facts/digest.js";
import { parseSession, session } from "../../../src/facts/session.js";
import { probe, scratchDirectory } from "./helpers.js";

/** The fact kinds the file modules add: session (who commands run as) and file_sha256. */

describe("session fact", () => {
  it.each([
    { stdout: "root\nroot\n0022\n", value: { user: "root", group: "root", umask: "0022" } },
    { stdout: "fleet\nfleet\n077\n", value: { user: "fleet", group: "fleet", umask: "0077" } },
  ])("parses $stdout", ({ stdout, value }) => {
    expect(parseSession(stdout, 0, "")).toEqual(value);
  });

  it.each(["root\n", "root\nroot\nu=rwx\n", "\n\n\n", "root\nroot\n0022\nextra\n"])("rejects %j", (stdout) => {
    expect(() => parseSession(stdout, 0, "")).toThrow(/cannot read fact session:/);
  });

  it("rejects a failed id", () => {
    expect(() => parseSession("root\nroot\n0022\n", 1, "")).toThrow(/cannot read fact session:/);
  });

  it("reads this machine", () => {
    expect(probe(session, "")).toMatchObject({ user: expect.stringMatching(/./), umask: expect.stringMatching(/^[0-7]{4}$/) });
  });
});

describe("file_sha256 fact", () => {
  const parse = (stdout: string, exitCode = 0, stderr = "") => fileDigest.parse({ stdout, stderr, exitCode }, "/etc/x");
  const empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

  it.each([
    { stdout: "absent\n", value: { state: "absent" } },
    { stdout: "other\n", value: { state: "other" } },
    { stdout: `${empty}  -\n`, value: { state: "file", sha256: empty } },
  ])("parses $stdout", ({ stdout, value }) => {
    expect(parse(stdout)).toEqual(value);
  });

  it.each([
    { stdout: "", exitCode: 1, stderr: "sh: 1: cannot open /etc/x: Permission denied", message: "cannot read fact file_sha256:/etc/x: sh: 1: cannot open /etc/x: Permission denied" },
    { stdout: "deadbeef  -\n", exitCode: 0, stderr: "", message: 'cannot read fact file_sha256:/etc/x: unexpected sha256sum output "deadbeef  -"' },
  ])("rejects $stdout", ({ stdout, exitCode, stderr, message }) => {
    expect(() => parse(stdout, exitCode, stderr)).toThrow(message);
  });

  it("agrees with sha256OfText, and tells the bytes of a non-UTF-8 file from its decoded text", () => {
    expect(sha256OfText("")).toBe(empty);
    expect(probe(fileDigest, "/nonexistent/fleet")).toEqual({ state: "absent" });
    expect(probe(fileDigest, "/dev/null")).toEqual({ state: "other" });
    const { dir, cleanup } = scratchDirectory();
    try {
      const text = join(dir, "text");
      const binary = join(dir, "binary");
      writeFileSync(text, "héllo\n");
      writeFileSync(binary, Buffer.from([0x68, 0xff, 0x0a]));
      const digestOf = (path: string): string => (probe(fileDigest, path) as { sha256: string }).sha256;
      const textOf = (path: string): string => (probe(fileContent, path) as { content: string }).content;
      expect(sha256OfText(textOf(text))).toBe(digestOf(text));
      expect(textOf(binary)).toBe("h\uFFFD\n");
      expect(sha256OfText(textOf(binary))).not.toBe(digestOf(binary));
    } finally {
      cleanup();
    }
  });
});
