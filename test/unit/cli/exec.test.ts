import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import "../../../src/cli/commands/index.js";
import { runCli } from "../../../src/cli/program.js";
import { captureIo } from "../../support/capture-io.js";

/** local hosts run the command on this machine; `closed` is an SSH host on a port nobody listens on. */
function inventory(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "fleet-exec-cli-"));
  const file = path.join(dir, "hosts.yml");
  writeFileSync(
    file,
    [
      "all:",
      "  children:",
      "    locals:",
      "      hosts:",
      "        l1: { ansible_connection: local, which: one }",
      "        l2: { ansible_connection: local, which: two }",
      "    remote:",
      "      hosts:",
      "        closed: { ansible_host: 127.0.0.1, ansible_port: 1 }",
      "",
    ].join("\n"),
  );
  return file;
}

describe("fleet exec", () => {
  it("runs the command on every selected host, groups output, prints a summary and exits 0", async () => {
    const { io, stdout, stderr } = captureIo();
    const code = await runCli(["exec", "-i", inventory(), "-l", "locals", "--", "echo", "hello", "$((40+2))"], io);
    expect(code).toBe(0);
    expect(stdout()).toMatch(/==> l1 \| ok \| rc=0 \| [\d.]+ s\nhello 42\n/);
    expect(stdout()).toMatch(/==> l2 \| ok \| rc=0/);
    expect(stdout()).toMatch(/│ l2 +│ ok +│ 0 +│/);
    expect(stdout()).toContain("2 hosts: 2 ok, 0 failed, 0 unreachable");
    expect(stderr()).toMatch(/^l[12]: OK rc=0/m);
  });

  it("warns once about an ignored connection variable, and says '1 host'", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "fleet-exec-cli-"));
    const file = path.join(dir, "hosts.yml");
    writeFileSync(file, "all:\n  vars: { ansible_ssh_common_args: '-o Foo=bar' }\n  hosts:\n    l1: { ansible_connection: local }\n");
    const { io, stdout, stderr } = captureIo();
    expect(await runCli(["exec", "-i", file, "--", "true"], io)).toBe(0);
    expect(stderr().match(/ansible_ssh_common_args is ignored/g)).toHaveLength(1);
    expect(stdout()).toContain("1 host: 1 ok, 0 failed, 0 unreachable");
  });

  it("exits 2 when the command fails somewhere, explaining the exit status", async () => {
    const { io, stdout } = captureIo();
    expect(await runCli(["exec", "-i", inventory(), "-l", "locals", "--", "no-such-command-fleet"], io)).toBe(2);
    expect(stdout()).toContain("!! exit 127: command not found");
  });

  it("exits 3 when a host is unreachable and nothing failed, with the reason and a hint", async () => {
    const { io, stdout } = captureIo();
    expect(await runCli(["exec", "-i", inventory(), "--", "true"], io)).toBe(3);
    expect(stdout()).toContain("!! closed: connection refused by 127.0.0.1:1");
    expect(stdout()).toContain("hint: is sshd running");
  });

  it("exits 2 rather than 3 when there are both failures and unreachable hosts", async () => {
    const { io } = captureIo();
    expect(await runCli(["exec", "-i", inventory(), "--", "false"], io)).toBe(2);
  });

  it("prints machine-readable results with --json", async () => {
    const { io, stdout } = captureIo();
    expect(await runCli(["exec", "-i", inventory(), "--json", "--", "echo out; echo err >&2; exit 4"], io)).toBe(2);
    const document = JSON.parse(stdout()) as { command: string; summary: unknown; hosts: { name: string; status: string; rc: number | null; stdout: string; stderr: string; code: string | null }[] };
    expect(document.command).toBe("echo out; echo err >&2; exit 4");
    expect(document.summary).toEqual({ hosts: 3, ok: 0, failed: 2, unreachable: 1, interrupted: 0 });
    expect(document.hosts.map((host) => [host.name, host.status, host.rc, host.code])).toEqual([
      ["l1", "failed", 4, null],
      ["l2", "failed", 4, null],
      ["closed", "unreachable", null, "SSH_CONNECTION_REFUSED"],
    ]);
    expect(document.hosts[0]).toMatchObject({ stdout: "out\n", stderr: "err\n" });
  });

  it("kills a command after --timeout", async () => {
    const { io, stdout } = captureIo();
    const begun = Date.now();
    expect(await runCli(["exec", "-i", inventory(), "-l", "l1", "--timeout", "0.3", "--", "sleep 20"], io)).toBe(2);
    expect(Date.now() - begun).toBeLessThan(5_000);
    expect(stdout()).toContain("!! timed out after 0.3 s; killed");
  });

  it("reads the inventory from FLEET_INVENTORY when -i is not given", async () => {
    const { io } = captureIo({ FLEET_INVENTORY: inventory() });
    expect(await runCli(["exec", "-l", "l2", "--", "true"], io)).toBe(0);
  });

  it("draws a live progress line on a terminal", async () => {
    const { io, stderr } = captureIo({}, { tty: true });
    await runCli(["exec", "-i", inventory(), "-l", "locals", "--", "true"], io);
    expect(stderr()).toContain("2/2 hosts · 0 failed · 0 unreachable");
    expect(stderr()).toContain("\r\u001b[2K");
  });

  it.each([
    [["exec", "--", "true"], /no inventory given.*\n  hint: pass -i INVENTORY/],
    [["exec", "-i", "x.yml"], /missing required argument 'command'/],
    [["exec", "-i", "x.yml", "-f", "0", "--", "true"], /--forks must be a whole number of at least 1, not "0"/],
    [["exec", "-i", "x.yml", "--timeout", "soon", "--", "true"], /--timeout must be a number of seconds above 0/],
    [["exec", "-i", "x.yml", "--host-key-checking", "maybe", "--", "true"], /argument 'maybe' is invalid/],
  ])("exits 5 on bad options: %j", async (argv, message) => {
    const { io, stderr } = captureIo();
    expect(await runCli(argv, io)).toBe(5);
    expect(stderr()).toMatch(message);
  });
});
