import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import type { HostConnection } from "../../../src/inventory/types.js";
import { LocalTransport } from "../../../src/transport/local.js";

const target: HostConnection = {
  host: "self",
  address: "localhost",
  port: undefined,
  user: undefined,
  privateKeyFile: undefined,
  connection: "local",
  become: false,
  becomeUser: "root",
  knownHostsFile: undefined,
  jump: undefined,
};

const local = new LocalTransport({ outputLimit: 1 << 20, becomePassword: undefined });

describe("LocalTransport", () => {
  it("runs commands through /bin/sh with stdin, stdout, stderr and the exit code", async () => {
    const connection = await local.connect(target);
    const result = await connection.exec("read line; echo got $line; echo warn >&2; exit 5", { stdin: "hello\n" });
    expect(result).toMatchObject({ exitCode: 5, signal: null, stdout: "got hello\n", stderr: "warn\n", timedOut: false });
  });

  it("kills the whole process group on timeout, background children included", async () => {
    const connection = await local.connect(target);
    const marker = `fleet-local-${process.pid}-${Date.now()}`;
    const result = await connection.exec(`sh -c 'sleep 30; echo ${marker}' & sleep 30`, { timeoutMs: 200 });
    expect(result.timedOut).toBe(true);
    expect(result.exitCode).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 100));
    // [f]leet: the pattern does not match the shell that runs pgrep
    const survivors = execFileSync("sh", ["-c", `pgrep -f '[f]${marker.slice(1)}' || true`], { encoding: "utf8" });
    expect(survivors.trim()).toBe("");
  });

  it("does not pass fleet's secrets from its environment on to the command", async () => {
    const saved = { become: process.env["FLEET_BECOME_PASSWORD"], passphrase: process.env["FLEET_SSH_PASSPHRASE"] };
    process.env["FLEET_BECOME_PASSWORD"] = "become-secret";
    process.env["FLEET_SSH_PASSPHRASE"] = "passphrase-secret";
    process.env["FLEET_LOCAL_TEST_VISIBLE"] = "visible";
    try {
      const connection = await local.connect(target);
      const result = await connection.exec("env");
      expect(result.stdout).toContain("FLEET_LOCAL_TEST_VISIBLE=visible\n");
      expect(result.stdout).not.toContain("secret");
    } finally {
      for (const [name, value] of [["FLEET_BECOME_PASSWORD", saved.become], ["FLEET_SSH_PASSPHRASE", saved.passphrase], ["FLEET_LOCAL_TEST_VISIBLE", undefined]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it.runIf(process.getuid?.() === 0)("becomes another user with sudo -n", async () => {
    const connection = await local.connect({ ...target, become: true, becomeUser: "nobody" });
    const result = await connection.exec("id -un");
    expect(result).toMatchObject({ exitCode: 0, stdout: "nobody\n", becomeFailure: null });
  });
});
