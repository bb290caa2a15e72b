import { execFileSync, spawn } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runExec } from "../../../src/engine/exec.js";
import { TransportError } from "../../../src/transport/errors.js";
import { connectError, info, sshdPid, strayKey, targetFor, tempDir, testbedHost, transportPool } from "./helpers.js";

const pool = transportPool();
const transport = pool.transport;
afterEach(pool.closeAll);

/** Established TCP connections from this machine to address:port. */
function establishedTo(address: string, port: number): number {
  const out = execFileSync("ss", ["-Htn", "state", "established", "dst", `${address}:${port}`], { encoding: "utf8" });
  return out.split("\n").filter((line) => line.trim() !== "").length;
}

describe("connections to the testbed", () => {
  it("reports a key the host does not authorize as auth failed, naming the key tried", async () => {
    const key = strayKey();
    const error = await connectError((await transport()).connect(targetFor("tb1", { privateKeyFile: key })));
    expect(error.kind).toBe("auth-failed");
    expect(error.message).toContain(`authentication failed as root@127.0.1.1:22 (tried key ${key})`);
  });

  it("reports a missing key file among the unusable keys", async () => {
    const error = await connectError((await transport()).connect(targetFor("tb1", { privateKeyFile: "/nonexistent/id_ed25519" })));
    expect(error.kind).toBe("auth-failed");
    expect(error.message).toBe("tb1: authentication failed as root@127.0.1.1:22: no usable key and no ssh-agent; unusable keys: /nonexistent/id_ed25519: not found");
  });

  it("unlocks an encrypted key with its passphrase once per run, not once per host", async () => {
    const encrypted = path.join(tempDir(), "id_encrypted");
    copyFileSync(info.clientKeyFile, encrypted);
    chmodSync(encrypted, 0o600);
    execFileSync("ssh-keygen", ["-q", "-p", "-N", "correct horse", "-f", encrypted]);
    const asked: string[] = [];
    const ssh = await transport({ passphraseFor: async (file) => (asked.push(file), "correct horse") });
    const connections = await Promise.all(["tb1", "tb2", "tb3"].map((name) => ssh.connect(targetFor(name, { privateKeyFile: encrypted }))));
    await Promise.all(connections.map((connection) => connection.close()));
    expect(asked).toEqual([encrypted]);

    const withoutPassphrase = await connectError((await transport()).connect(targetFor("tb1", { privateKeyFile: encrypted })));
    expect(withoutPassphrase.message).toContain("the key is encrypted and no passphrase was given");
  });

  it("authenticates with a key held by ssh-agent", async () => {
    const socket = path.join(tempDir(), "agent.sock");
    const agent = spawn("ssh-agent", ["-D", "-a", socket], { stdio: "ignore" });
    try {
      for (let waited = 0; !existsSync(socket) && waited < 5_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
      execFileSync("ssh-add", ["-q", info.clientKeyFile], { env: { ...process.env, SSH_AUTH_SOCK: socket }, stdio: "ignore" });
      const ssh = await transport({ agentSocket: socket });
      const connection = await ssh.connect(targetFor("tb1", { privateKeyFile: undefined }));
      expect((await connection.exec("hostname")).stdout).toBe("tb1\n");
      await connection.close();
    } finally {
      agent.kill("SIGTERM");
    }
  });

  it.each(["ecdsa", "rsa"])("authenticates with an %s key", async (type) => {
    const key = path.join(tempDir(), `id_${type}`);
    execFileSync("ssh-keygen", ["-q", "-t", type, "-N", "", "-f", key]);
    const ssh = await transport();
    const admin = await ssh.connect(targetFor("tb3", { user: "fleet" }));
    const saved = (await admin.exec("cat ~/.ssh/authorized_keys")).stdout;
    try {
      await admin.exec("cat >> ~/.ssh/authorized_keys", { stdin: readFileSync(`${key}.pub`) });
      const connection = await ssh.connect(targetFor("tb3", { user: "fleet", privateKeyFile: key }));
      expect((await connection.exec("id -un")).stdout).toBe("fleet\n");
      await connection.close();
    } finally {
      await admin.exec("cat > ~/.ssh/authorized_keys", { stdin: saved });
      await admin.close();
    }
  });

  it("reports a closed port as refused", async () => {
    const error = await connectError((await transport()).connect(targetFor("tb1", { port: 1 })));
    expect(error.kind).toBe("refused");
    expect(error.message).toBe("tb1: connection refused by 127.0.1.1:1");
  });

  it("ends a host whose sshd is stopped (SIGSTOP) as unreachable within the connect timeout while the others finish", async () => {
    const stopped = testbedHost("tb2", info);
    const pid = sshdPid(stopped);
    const ssh = await transport({ connectTimeoutMs: 5_000 });
    process.kill(pid, "SIGSTOP");
    try {
      const begun = Date.now();
      const results = await runExec(["tb1", "tb2", "tb3"].map((name) => targetFor(name)), ssh, "hostname", { forks: 3, handshakes: 3 });
      const elapsed = Date.now() - begun;
      expect(results.map((result) => [result.host, result.status])).toEqual([["tb1", "ok"], ["tb2", "unreachable"], ["tb3", "ok"]]);
      expect(results[1]?.code).toBe("SSH_TIMEOUT");
      // the others do not wait for the stopped host
      expect(results[0]!.durationMs).toBeLessThan(4_500);
      expect(results[2]!.durationMs).toBeLessThan(4_500);
      expect(elapsed).toBeGreaterThanOrEqual(4_900);
      expect(elapsed).toBeLessThan(9_000);
    } finally {
      process.kill(pid, "SIGCONT");
    }
  });

  it("runs become through sudo from the unprivileged fleet account", async () => {
    const connection = await (await transport()).connect(targetFor("tb3", { user: "fleet" }));
    const plain = await connection.exec("id -un");
    const asRoot = await connection.exec("id -un; echo to-stderr >&2", { become: true });
    const asNobody = await connection.exec("id -un", { become: true, becomeUser: "nobody" });
    await connection.close();
    expect(plain.stdout).toBe("fleet\n");
    expect(asRoot).toMatchObject({ exitCode: 0, stdout: "root\n", stderr: "to-stderr\n", becomeFailure: null });
    expect(asNobody.stdout).toBe("nobody\n");
  });

  it("reports a become that sudo refuses as a become failure", async () => {
    const connection = await (await transport()).connect(targetFor("tb3", { user: "fleet" }));
    const result = await connection.exec("true", { become: true, becomeUser: "no-such-user-fleet" });
    await connection.close();
    expect(result.becomeFailure).toMatch(/unknown user|no-such-user-fleet/);
  });

  it("reaches hosts through one shared connection to a jump host", async () => {
    const ssh = await transport();
    const bastion = testbedHost("tb1", info);
    const jump = { user: "root", address: bastion.address, port: bastion.port };
    const before = establishedTo(bastion.address, bastion.port);
    const connections = await Promise.all(["tb2", "tb3"].map((name) => ssh.connect(targetFor(name, { jump }))));
    const results = await Promise.all(connections.map((connection) => connection.exec("hostname")));
    expect(results.map((result) => result.stdout)).toEqual(["tb2\n", "tb3\n"]);
    expect(establishedTo(bastion.address, bastion.port) - before).toBe(1);
    await Promise.all(connections.map((connection) => connection.close()));
  });

  it("names the jump host when it is the one that fails", async () => {
    const error = await connectError((await transport()).connect(targetFor("tb2", { jump: { user: "root", address: "127.0.1.1", port: 1 } })));
    expect(error.kind).toBe("refused");
    expect(error.message).toBe("tb2: via jump host 127.0.1.1: connection refused by 127.0.1.1:1");
  });

  it("turns a connection that breaks during a command into connection-lost, not a crash", async () => {
    const connection = await (await transport()).connect(targetFor("tb3"));
    // the parent of the login shell is the sshd process serving this connection
    const sessionSshd = Number((await connection.exec("echo $PPID")).stdout.trim());
    expect(sessionSshd).toBeGreaterThan(1);
    expect(sessionSshd).not.toBe(sshdPid(testbedHost("tb3", info)));
    const running = connection.exec("sleep 20");
    await new Promise((resolve) => setTimeout(resolve, 500));
    process.kill(sessionSshd, "SIGKILL");
    const error: unknown = await running.then(() => undefined, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).kind).toBe("connection-lost");
    await expect(connection.exec("true")).rejects.toMatchObject({ kind: "connection-lost" });
    await connection.close();
  });

  it("multiplexes 20 commands on one connection without exceeding the channel limit", async () => {
    const connection = await (await transport()).connect(targetFor("tbc1"));
    const results = await Promise.all(Array.from({ length: 20 }, () => connection.exec("date +%s%N; sleep 1; date +%s%N")));
    await connection.close();
    expect(results.filter((result) => result.exitCode !== 0)).toEqual([]);
    const spans = results.map((result) => result.stdout.trim().split("\n").map(Number) as [number, number]);
    const peak = Math.max(...spans.map(([start]) => spans.filter(([otherStart, otherEnd]) => otherStart <= start && start < otherEnd).length));
    expect(peak).toBeLessThanOrEqual(8);
    expect(peak).toBeGreaterThanOrEqual(2);
  });

  it("kills a command at its timeout and frees the channel", async () => {
    const connection = await (await transport()).connect(targetFor("tbc2"));
    const begun = Date.now();
    const slow = await Promise.all(Array.from({ length: 8 }, () => connection.exec("sleep 31.7; echo never", { timeoutMs: 1_000 })));
    expect(slow.every((result) => result.timedOut && result.exitCode === null && result.stdout === "")).toBe(true);
    expect(Date.now() - begun).toBeLessThan(10_000);
    // all 8 channel slots were held by the killed commands; new ones must open at once
    const after = await Promise.all(Array.from({ length: 8 }, () => connection.exec("echo ok")));
    expect(after.map((result) => result.stdout)).toEqual(Array(8).fill("ok\n"));
    const leftovers = await connection.exec("pgrep -f 'slee[p] 31.7' || true");
    await connection.close();
    expect(leftovers.stdout.trim()).toBe("");
  });
});
