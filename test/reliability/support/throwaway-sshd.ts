/**
 * Throwaway SSH hosts for destructive fault tests: one plain `sshd -D` per address 127.0.6.N:22,
 * each with its own host key, root login with a client key generated here, and a known_hosts and
 * an inventory of their own, all in a temporary directory. Nothing of the shared testbed is used.
 *
 * Each sshd runs in its own mount namespace (`unshare --mount --propagation private`) where /root
 * is a private empty directory (the machine's root ~/.bashrc runs `pyenv init`, which would add
 * more than a second to every command) and where a test may mount more (a tiny tmpfs for a full
 * disk). Every listener is recorded in a pid file; a run that crashed leaves it behind, and the
 * next start kills what it lists before starting anything.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { descendants, isAlive, processInfo, sessionProcesses, signalAll, sleep, waitFor } from "./processes.js";

/** Every fault test's files live below this directory; its name marks our sshd processes. */
export const FAULTS_ROOT = path.join(tmpdir(), "fleet-reliability-faults");
const PID_FILE = path.join(FAULTS_ROOT, "sshd.pids");
const MARK = "fleet-reliability-faults";

/** Only this range: the testbed uses 127.0.1.x, the exec benchmark 127.0.3.x. */
export const addressOf = (octet: number): string => {
  if (!Number.isInteger(octet) || octet < 1 || octet > 254) throw new Error(`bad octet ${octet}`);
  return `127.0.6.${octet}`;
};

export interface HostSpec {
  name: string;
  /** The last octet of 127.0.6.N. */
  octet: number;
  /**
   * Shell run inside the host's mount namespace before sshd starts (as root, `set -e`), e.g. a
   * tmpfs mount. $FLEET_HOST_DIR is the host's directory.
   */
  setup?: string;
  /** Sign the host key with the fleet's CA and serve the certificate (HostCertificate). */
  certificate?: boolean;
}

export interface ThrowawayHost {
  name: string;
  address: string;
  port: 22;
  dir: string;
  /** "ssh-ed25519 AAAA..." of its host key. */
  publicKey: string;
  /** The running listener's pid, or undefined when it is not running. */
  listenerPid(): number | undefined;
  /** sshd processes serving this host's connections (children of the listener). */
  sessionSshds(): number[];
  /** The listener, its session sshds and everything their sessions started (shells, commands). */
  allProcesses(): number[];
  /** Starts the listener (again); resolves once it accepts TCP connections. */
  start(): Promise<void>;
  /** SIGKILLs the listener only; running sessions go on. */
  killListener(): Promise<void>;
  /** SIGKILLs the listener and its session sshds (the commands the sessions ran are left to die on their own). */
  killSshd(): Promise<void>;
  /** SIGSTOP / SIGCONT of the listener, its session sshds and the commands they run. */
  freeze(): number[];
  thaw(pids: readonly number[]): void;
  /** A command on the host with the OpenSSH client (strict host key, the fleet's key); stdout. */
  ssh(command: string): string;
}

export interface ThrowawayFleet {
  dir: string;
  clientKey: string;
  /** Lines for every host's key. */
  knownHosts: string;
  /** The CA public key line ("ssh-ed25519 AAAA..."), when some host has a certificate. */
  caPublicKey: string | undefined;
  hosts: ThrowawayHost[];
  host(name: string): ThrowawayHost;
  /** An inventory of these hosts (all of them, or the named ones) with the given known_hosts file. */
  inventory(options?: { knownHosts?: string; hosts?: readonly string[]; file?: string }): string;
  stop(): Promise<void>;
}

function run(command: string, args: readonly string[], input?: string): string {
  return execFileSync(command, [...args], { encoding: "utf8", stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"], ...(input === undefined ? {} : { input }) });
}

function killTree(pid: number): void {
  const tree = [pid, ...descendants(pid).map((info) => info.pid)];
  signalAll(tree, "SIGKILL");
  signalAll(tree, "SIGCONT");
}

/**
 * Kills the sshd processes a previous run left running (it crashed or was killed before afterAll):
 * those the pid file lists whose test process ("sshd-pid owner-pid" per line) is gone. Hosts of a
 * test process that still runs are left alone.
 */
export function stopLeftovers(): void {
  if (!existsSync(PID_FILE)) return;
  const kept: string[] = [];
  for (const line of readFileSync(PID_FILE, "utf8").split("\n")) {
    const [pid, owner] = line.trim().split(" ").map(Number);
    if (pid === undefined || !Number.isInteger(pid) || pid <= 0) continue;
    if (owner !== undefined && owner !== process.pid && isAlive(owner)) {
      kept.push(line.trim());
      continue;
    }
    const info = processInfo(pid);
    if (info !== undefined && info.cmdline.includes("sshd") && info.cmdline.includes(MARK)) killTree(pid);
  }
  writeFileSync(PID_FILE, kept.length === 0 ? "" : `${kept.join("\n")}\n`);
  // directories of runs whose test process is gone
  for (const entry of readdirSync(FAULTS_ROOT)) {
    const owner = /^run-(\d+)-/.exec(entry)?.[1];
    if (owner !== undefined && !isAlive(Number(owner))) rmSync(path.join(FAULTS_ROOT, entry), { recursive: true, force: true });
  }
}

function recordPid(pid: number): void {
  appendFileSync(PID_FILE, `${pid} ${process.pid}\n`);
}

function forgetPid(pid: number): void {
  if (!existsSync(PID_FILE)) return;
  const kept = readFileSync(PID_FILE, "utf8").split("\n").filter((line) => line.trim() !== "" && Number(line.trim().split(" ")[0]) !== pid);
  writeFileSync(PID_FILE, kept.length === 0 ? "" : `${kept.join("\n")}\n`);
}

export function portOpen(address: string, port = 22): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port });
    socket.setTimeout(1_000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Starts the hosts. Call stop() in afterAll. */
export async function startThrowawayFleet(label: string, specs: readonly HostSpec[]): Promise<ThrowawayFleet> {
  mkdirSync(FAULTS_ROOT, { recursive: true });
  stopLeftovers();
  mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  const dir = mkdtempSync(path.join(FAULTS_ROOT, `run-${process.pid}-${label}-`));
  const clientKey = path.join(dir, "id_ed25519");
  run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", `${MARK}-client`, "-f", clientKey]);
  const authorizedKeys = path.join(dir, "authorized_keys");
  writeFileSync(authorizedKeys, readFileSync(`${clientKey}.pub`), { mode: 0o644 });
  const needsCa = specs.some((spec) => spec.certificate === true);
  const caKey = path.join(dir, "ca_key");
  if (needsCa) run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", `${MARK}-ca`, "-f", caKey]);
  const caPublicKey = needsCa ? readFileSync(`${caKey}.pub`, "utf8").trim().split(/\s+/).slice(0, 2).join(" ") : undefined;

  const hosts: ThrowawayHost[] = [];
  const children = new Set<ChildProcess>();
  for (const spec of specs) {
    const address = addressOf(spec.octet);
    const hostDir = path.join(dir, spec.name);
    const rootDir = path.join(hostDir, "root");
    mkdirSync(rootDir, { recursive: true, mode: 0o700 });
    writeFileSync(path.join(rootDir, ".bashrc"), "# plain: no pyenv\n");
    writeFileSync(path.join(rootDir, ".profile"), "# plain\n");
    const hostKey = path.join(hostDir, "ssh_host_ed25519_key");
    run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", `${MARK}-${spec.name}`, "-f", hostKey]);
    const config = path.join(hostDir, "sshd_config");
    const lines = [
      `# ${MARK} host ${spec.name}`,
      `ListenAddress ${address}:22`,
      `HostKey ${hostKey}`,
      "PidFile none",
      `AuthorizedKeysFile ${authorizedKeys}`,
      "StrictModes no",
      "UsePAM no",
      "PermitRootLogin prohibit-password",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "MaxStartups 100:30:200",
      "MaxSessions 20",
      "PrintMotd no",
      "PrintLastLog no",
      "UseDNS no",
      "LogLevel ERROR",
    ];
    if (spec.certificate === true) {
      run("ssh-keygen", ["-q", "-s", caKey, "-I", `${spec.name}-host`, "-h", "-n", address, `${hostKey}.pub`]);
      lines.push(`HostCertificate ${hostKey}-cert.pub`);
    }
    writeFileSync(config, `${lines.join("\n")}\n`);
    const publicKey = readFileSync(`${hostKey}.pub`, "utf8").trim().split(/\s+/).slice(0, 2).join(" ");
    const script = [
      "set -e",
      `mount --bind ${JSON.stringify(rootDir)} /root`,
      ...(spec.setup === undefined ? [] : [spec.setup]),
      `exec /usr/sbin/sshd -D -e -f ${JSON.stringify(config)}`,
    ].join("\n");
    let listener: ChildProcess | undefined;

    const host: ThrowawayHost = {
      name: spec.name,
      address,
      port: 22,
      dir: hostDir,
      publicKey,
      listenerPid: () => (listener?.pid !== undefined && listener.exitCode === null && listener.signalCode === null ? listener.pid : undefined),
      sessionSshds: () => {
        const pid = host.listenerPid();
        if (pid !== undefined) return descendants(pid).filter((info) => info.cmdline.startsWith("sshd")).map((info) => info.pid);
        return [];
      },
      allProcesses: () => {
        const pid = host.listenerPid();
        const tree = pid === undefined ? [] : [pid, ...descendants(pid).map((info) => info.pid)];
        return [...new Set([...tree, ...sessionProcesses(address).map((info) => info.pid)])];
      },
      start: async () => {
        if (host.listenerPid() !== undefined) return;
        if (await portOpen(address)) throw new Error(`${address}:22 is already in use by a process that is not this test's`);
        const log = openSync(path.join(hostDir, "sshd.log"), "a");
        try {
          listener = spawn("unshare", ["--mount", "--propagation", "private", "/bin/sh", "-c", script], { stdio: ["ignore", log, log], env: { FLEET_HOST_DIR: hostDir, PATH: "/usr/sbin:/usr/bin:/sbin:/bin" } });
        } finally {
          closeSync(log);
        }
        const child = listener;
        children.add(child);
        if (child.pid === undefined) throw new Error(`cannot start sshd for ${spec.name}`);
        recordPid(child.pid);
        child.once("exit", () => {
          children.delete(child);
          if (child.pid !== undefined) forgetPid(child.pid);
        });
        await waitFor(`sshd on ${address}:22`, async () => {
          if (child.exitCode !== null || child.signalCode !== null) throw new Error(`sshd for ${spec.name} exited: ${readFileSync(path.join(hostDir, "sshd.log"), "utf8")}`);
          return (await portOpen(address)) ? true : undefined;
        }, 20_000);
      },
      killListener: async () => {
        const child = listener;
        const pid = host.listenerPid();
        if (child === undefined || pid === undefined) return;
        const exited = new Promise((resolve) => child.once("exit", resolve));
        process.kill(pid, "SIGKILL");
        await exited;
      },
      killSshd: async () => {
        const child = listener;
        const pid = host.listenerPid();
        if (child === undefined || pid === undefined) return;
        const exited = new Promise((resolve) => child.once("exit", resolve));
        signalAll([pid, ...host.sessionSshds()], "SIGKILL");
        await exited;
      },
      freeze: () => {
        const pids = host.allProcesses();
        signalAll(pids, "SIGSTOP");
        return pids;
      },
      thaw: (pids) => signalAll(pids, "SIGCONT"),
      ssh: (command) =>
        run("ssh", [
          "-F", "/dev/null", "-i", clientKey, "-o", "IdentitiesOnly=yes", "-o", `UserKnownHostsFile=${path.join(dir, "known_hosts")}`,
          "-o", "GlobalKnownHostsFile=/dev/null", "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10",
          `root@${address}`, command,
        ], ""),
    };
    hosts.push(host);
  }
  const knownHosts = path.join(dir, "known_hosts");
  writeFileSync(knownHosts, hosts.map((host) => `${host.address} ${host.publicKey}\n`).join(""));

  const stop = async (): Promise<void> => {
    const exits = [...children].map((child) => new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
    }));
    for (const host of hosts) {
      const pid = host.listenerPid();
      if (pid !== undefined) killTree(pid);
      // commands whose session is gone already (a killed sshd leaves them to run out)
      signalAll(sessionProcesses(host.address).map((info) => info.pid), "SIGKILL");
    }
    await Promise.race([Promise.all(exits), sleep(5_000)]);
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await Promise.all(hosts.map((host) => host.start()));
  } catch (error) {
    await stop();
    throw error;
  }

  const fleet: ThrowawayFleet = {
    dir,
    clientKey,
    knownHosts,
    caPublicKey,
    hosts,
    host: (name) => {
      const found = hosts.find((host) => host.name === name);
      if (found === undefined) throw new Error(`no throwaway host ${name}`);
      return found;
    },
    inventory: (options = {}) => {
      const chosen = options.hosts === undefined ? hosts : hosts.filter((host) => options.hosts?.includes(host.name));
      const file = options.file ?? path.join(dir, `inventory-${Math.random().toString(36).slice(2, 8)}.yml`);
      const body = chosen.map((host) => [
        `    ${host.name}:`,
        `      ansible_host: ${host.address}`,
        "      ansible_user: root",
        `      ansible_ssh_private_key_file: ${clientKey}`,
        `      fleet_known_hosts: ${options.knownHosts ?? knownHosts}`,
      ].join("\n"));
      writeFileSync(file, `all:\n  hosts:\n${body.join("\n")}\n`);
      return file;
    },
    stop,
  };
  return fleet;
}
