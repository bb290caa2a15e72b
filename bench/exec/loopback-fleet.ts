/**
 * A throwaway fleet of plain sshd hosts on loopback for the exec benchmark: one `sshd -D` per
 * address 127.0.3.N:22 (or per address of another scheme: startLoopbackFleet's `scheme`), all sharing one
 * host key and one account (`fleetbench`, shell /bin/sh). No LXD, no namespaces. Every sshd
 * started is recorded in a pid file and stopped by stop().
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import path from "node:path";

export const BENCH_USER = "fleetbench";

export interface LoopbackFleet {
  dir: string;
  addresses: string[];
  clientKey: string;
  knownHosts: string;
  stop(): Promise<void>;
}

/** Where host `index` (0-based) listens, and how many hosts the scheme has room for. */
export interface AddressScheme {
  addressOf(index: number): string;
  maxSize: number;
}

/** The default: 127.0.3.1..250. */
export const DEFAULT_ADDRESSES: AddressScheme = { addressOf: (index) => `127.0.3.${index + 1}`, maxSize: 250 };

/**
 * For fleets beyond 250 hosts (bench/scale): 127.30.B.C with B = floor(index / 250) and
 * C = index % 250 + 1, so 127.30.0.1..250, 127.30.1.1..250, …; up to 64,000 hosts.
 */
export const WIDE_ADDRESSES: AddressScheme = { addressOf: (index) => `127.30.${Math.floor(index / 250)}.${(index % 250) + 1}`, maxSize: 256 * 250 };

function run(command: string, args: string[]): string {
  return execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

function ensureAccount(): void {
  try {
    run("id", [BENCH_USER]);
  } catch {
    run("useradd", ["--create-home", "--shell", "/bin/sh", BENCH_USER]);
  }
  // sshd without PAM refuses locked accounts ("!" password); "*" means no password, not locked
  run("usermod", ["-p", "*", BENCH_USER]);
}

/** Kill sshd processes a previous, interrupted run left behind (their command line names a config under workDir). */
function stopLeftovers(pidFile: string, workDir: string): void {
  if (!existsSync(pidFile)) return;
  for (const line of readFileSync(pidFile, "utf8").split("\n")) {
    const pid = Number(line);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      if (cmdline.includes("sshd") && (cmdline.includes("fleet-bench") || cmdline.includes(`${workDir}/`))) process.kill(pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
  rmSync(pidFile, { force: true });
}

function listening(address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port: 22 });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

export async function startLoopbackFleet(size: number, workDir: string, scheme: AddressScheme = DEFAULT_ADDRESSES): Promise<LoopbackFleet> {
  if (size < 1 || size > scheme.maxSize) throw new Error(`size must be 1..${scheme.maxSize}`);
  const dir = path.join(workDir, `fleet-${size}`);
  const pidFile = path.join(workDir, "sshd.pids");
  stopLeftovers(pidFile, path.resolve(workDir));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  ensureAccount();

  const hostKey = path.join(dir, "ssh_host_ed25519_key");
  const clientKey = path.join(dir, "id_ed25519");
  run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "fleet-bench-host", "-f", hostKey]);
  run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "fleet-bench-client", "-f", clientKey]);
  const authorizedKeys = path.join(dir, "authorized_keys");
  writeFileSync(authorizedKeys, readFileSync(`${clientKey}.pub`), { mode: 0o644 });
  const [keyType, keyData] = readFileSync(`${hostKey}.pub`, "utf8").trim().split(/\s+/);
  const addresses = Array.from({ length: size }, (_, index) => scheme.addressOf(index));
  const knownHosts = path.join(dir, "known_hosts");
  writeFileSync(knownHosts, addresses.map((address) => `${address} ${keyType} ${keyData}\n`).join(""));

  const children: ChildProcess[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(children.map((child) => new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    })));
    rmSync(pidFile, { force: true });
  };

  try {
    for (const address of addresses) {
      const config = path.join(dir, `sshd-${address}.conf`);
      writeFileSync(config, [
        `# fleet-bench host ${address}`,
        `ListenAddress ${address}:22`,
        `HostKey ${hostKey}`,
        `PidFile none`,
        `AuthorizedKeysFile ${authorizedKeys}`,
        "StrictModes no",
        "UsePAM no",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "PermitRootLogin no",
        `AllowUsers ${BENCH_USER}`,
        "MaxStartups 200:30:400",
        "MaxSessions 20",
        "PrintMotd no",
        "PrintLastLog no",
        "UseDNS no",
        "",
      ].join("\n"));
      const child = spawn("/usr/sbin/sshd", ["-D", "-f", config, "-o", "LogLevel=ERROR"], { stdio: ["ignore", "ignore", "inherit"] });
      children.push(child);
      writeFileSync(pidFile, `${child.pid}\n`, { flag: "a" });
    }
    const deadline = Date.now() + 60_000;
    for (const address of addresses) {
      while (!(await listening(address))) {
        if (Date.now() > deadline) throw new Error(`sshd on ${address}:22 did not start listening within 60 s`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { dir, addresses, clientKey, knownHosts, stop };
}
