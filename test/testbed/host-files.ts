/** Creates the files one testbed host needs before it boots: keys, sshd config, homes, boot script. */
import { chmodSync, chownSync, copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PRIVATE_PATHS, TESTBED_ACCOUNTS, TESTBED_DIR, privateDir, type TestbedHost, type TestbedLayout } from "./layout.js";
import { accountIds } from "./prerequisites.js";
import { run } from "./run.js";

export async function ensureClientKey(layout: TestbedLayout): Promise<void> {
  mkdirSync(layout.stateDir, { recursive: true, mode: 0o700 });
  if (!existsSync(layout.clientKeyFile)) {
    await run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "fleet-testbed-client", "-f", layout.clientKeyFile]);
  }
}

export async function writeHostFiles(layout: TestbedLayout, host: TestbedHost): Promise<void> {
  mkdirSync(host.dir, { recursive: true, mode: 0o700 });
  if (!existsSync(host.hostKey)) {
    await run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", `fleet-testbed-${host.name}`, "-f", host.hostKey]);
  }
  for (const privatePath of PRIVATE_PATHS) {
    const dir = privateDir(host, privatePath.name);
    if (existsSync(dir)) continue;
    if (privatePath.seed && existsSync(privatePath.target)) cpSync(privatePath.target, dir, { recursive: true, preserveTimestamps: true });
    else mkdirSync(dir, { recursive: true });
  }
  const clientPublicKey = readFileSync(`${layout.clientKeyFile}.pub`, "utf8");
  prepareHome(privateDir(host, "root-home"), clientPublicKey, 0, 0);
  for (const account of TESTBED_ACCOUNTS) {
    const ids = accountIds(account.user);
    if (ids === undefined) throw new Error(`account ${account.user} is missing: ensurePrerequisites creates it`);
    prepareHome(privateDir(host, account.privateHome), clientPublicKey, ids.uid, ids.gid);
  }
  installSnapStandin(host);
  writeFileSync(host.sshdConfig, sshdConfig(host));
  writeFileSync(host.bootScript, bootScript(host), { mode: 0o755 });
}

/**
 * A home with the client key authorized and a deliberately plain shell startup: the machine's
 * own root ~/.bashrc runs `pyenv init`, which costs over a second per SSH command.
 */
function prepareHome(home: string, authorizedKey: string, uid: number, gid: number): void {
  const sshDir = path.join(home, ".ssh");
  mkdirSync(sshDir, { recursive: true });
  writeFileSync(path.join(sshDir, "authorized_keys"), authorizedKey);
  writeFileSync(path.join(home, ".bashrc"), "# fleet testbed host: intentionally minimal shell startup\n");
  writeFileSync(path.join(home, ".profile"), "# fleet testbed host: intentionally minimal login startup\n");
  chmodSync(home, 0o700);
  chmodSync(sshDir, 0o700);
  chmodSync(path.join(sshDir, "authorized_keys"), 0o600);
  for (const entry of [home, sshDir, path.join(sshDir, "authorized_keys"), path.join(home, ".bashrc"), path.join(home, ".profile")]) {
    chownSync(entry, uid, gid);
  }
}

function installSnapStandin(host: TestbedHost): void {
  const sbin = privateDir(host, "usr-local-sbin");
  copyFileSync(path.join(TESTBED_DIR, "snap-standin.sh"), path.join(sbin, "snap"));
  chmodSync(path.join(sbin, "snap"), 0o755);
}

function sshdConfig(host: TestbedHost): string {
  return [
    `# fleet testbed host ${host.name}`,
    `ListenAddress ${host.address}:${host.port}`,
    `HostKey ${host.hostKey}`,
    `PidFile ${host.sshdPidFile}`,
    "PermitRootLogin prohibit-password",
    "PubkeyAuthentication yes",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "UsePAM no",
    "AllowTcpForwarding yes",
    "MaxStartups 100:30:200",
    "PrintMotd no",
    "Subsystem sftp internal-sftp",
    "",
  ].join("\n");
}

/**
 * Runs as the first process of the host's private mount namespace: bind-mounts the host's own
 * copies over the shared system paths, starts its LXD daemon, then becomes its sshd (exec keeps
 * the pid, so the sshd pid is also the namespace's handle for nsenter).
 */
function bootScript(host: TestbedHost): string {
  const mounts = PRIVATE_PATHS.map(
    ({ target, name }) => `mkdir -p ${target}\nmount --bind ${privateDir(host, name)} ${target}`,
  ).join("\n");
  return `#!/bin/sh
# fleet testbed host ${host.name}: generated, do not edit
set -e
hostname ${host.name}
${mounts}
lxd --group root --logfile ${host.lxdLog} </dev/null >/dev/null 2>&1 &
echo $! > ${host.lxdPidFile}
exec /usr/sbin/sshd -D -f ${host.sshdConfig} -E ${path.join(host.dir, "sshd.log")}
`;
}
