import { describe, expect, it } from "vitest";
import "../../../src/cli/commands/index.js";
import { runCli } from "../../../src/cli/program.js";
import { captureIo } from "../../support/capture-io.js";
import { info, sshdPid, tempDir, testbedHost } from "./helpers.js";

const base = (): string[] => ["exec", "-i", info.inventoryFile, "--ssh-config", `${tempDir()}/none`];

interface JsonHost {
  name: string;
  status: string;
  rc: number | null;
  stdout: string;
  code: string | null;
}

describe("fleet exec on the testbed", () => {
  it("runs on every host with strict host keys and exits 0", async () => {
    const { io, stdout } = captureIo();
    expect(await runCli([...base(), "--json", "--", "hostname"], io)).toBe(0);
    const hosts = (JSON.parse(stdout()) as { hosts: JsonHost[] }).hosts;
    expect(hosts.map((host) => [host.name, host.status, host.stdout])).toEqual(info.hosts.map((host) => [host.name, "ok", `${host.name}\n`]));
  });

  it("selects hosts with -l and runs become through sudo", async () => {
    const { io, stdout } = captureIo();
    expect(await runCli([...base(), "-l", "cluster1", "--become", "--json", "--", "id -un"], io)).toBe(0);
    const hosts = (JSON.parse(stdout()) as { hosts: JsonHost[] }).hosts;
    expect(hosts.map((host) => [host.name, host.stdout])).toEqual([["tbc1", "root\n"], ["tbc2", "root\n"]]);
  });

  it("exits 2 when the command fails on some host", async () => {
    const { io, stdout } = captureIo();
    expect(await runCli([...base(), "--", 'test "$(hostname)" != tb2'], io)).toBe(2);
    expect(stdout()).toMatch(/==> tb2 \| failed \| rc=1/);
    expect(stdout()).toContain("5 hosts: 4 ok, 1 failed, 0 unreachable");
  });

  it("exits 3 when a host's sshd is stopped, within the connect timeout, and the others succeed", async () => {
    const pid = sshdPid(testbedHost("tb3", info));
    process.kill(pid, "SIGSTOP");
    try {
      const { io, stdout, stderr } = captureIo();
      const begun = Date.now();
      expect(await runCli([...base(), "--connect-timeout", "2", "--", "true"], io)).toBe(3);
      expect(Date.now() - begun).toBeLessThan(8_000);
      expect(stdout()).toMatch(/!! tb3: no SSH handshake from 127\.0\.1\.3:22 within 2 s/);
      expect(stdout()).toContain("5 hosts: 4 ok, 0 failed, 1 unreachable");
      expect(stderr()).toMatch(/^tb3: UNREACHABLE/m);
    } finally {
      process.kill(pid, "SIGCONT");
    }
  });
});
