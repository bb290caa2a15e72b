/** Creates the files one testbed host needs before it boots: keys, sshd config, homes, boot script. */
import { chmodSync, chownSync, copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PRIVATE_PATHS, SNAP_LXD_DIR, SNAP_PRIVATE_PATHS, SNAP_TRACKING, SYSLOG_PATH, TESTBED_ACCOUNTS, TESTBED_DIR, privateDir, type TestbedHost, type TestbedLayout } from "./layout.js";
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
  if (host.install === "snap") writeSnapLayout(host);
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
  // What the stand-in needs to know about its host: how LXD looks installed, and (snap hosts) how
  // to restart the daemon so that the testbed still recognises it (pid file, log file).
  const stateDir = path.join(sbin, ".snap-standin");
  mkdirSync(stateDir, { recursive: true });
  const env = {
    FLEET_TESTBED_INSTALL: host.install,
    FLEET_TESTBED_TRACKING: SNAP_TRACKING,
    FLEET_TESTBED_LXD_PIDFILE: host.lxdPidFile,
    FLEET_TESTBED_LXD_LOGFILE: host.lxdLog,
  };
  writeFileSync(path.join(stateDir, "testbed.env"), `# fleet testbed host ${host.name}: generated, do not edit\n${Object.entries(env).map(([key, value]) => `${key}=${shQuote(value)}\n`).join("")}`);
}

const shQuote = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;

/**
 * The lxd snap's face on a snap host: /snap/bin commands that run Debian's binaries with the
 * snap's LXD_DIR (the real ones are symlinks to /usr/bin/snap), and /var/snap/lxd/common/lxd as
 * the mount point of the host's LXD dir.
 */
function writeSnapLayout(host: TestbedHost): void {
  for (const { name } of SNAP_PRIVATE_PATHS) mkdirSync(privateDir(host, name), { recursive: true });
  const bin = path.join(privateDir(host, "snap"), "bin");
  mkdirSync(bin, { recursive: true });
  const wrapper = (program: string): string =>
    `#!/bin/sh\n# fleet testbed: stands in for the lxd snap's ${program} (Debian's binary, the snap's LXD dir)\nLXD_DIR=${SNAP_LXD_DIR} exec /usr/bin/${program} "$@"\n`;
  const unavailable = (command: string): string => `#!/bin/sh\necho "${command}: not available in the fleet testbed (the lxd snap is stood in)" >&2\nexit 1\n`;
  const commands: Record<string, string> = {
    lxc: wrapper("lxc"),
    "lxd.lxc": wrapper("lxc"),
    lxd: wrapper("lxd"),
    "lxd.buginfo": unavailable("lxd.buginfo"),
    "lxd.check-kernel": unavailable("lxd.check-kernel"),
  };
  for (const [name, text] of Object.entries(commands)) writeFileSync(path.join(bin, name), text, { mode: 0o755 });
  mkdirSync(path.join(privateDir(host, "var-snap"), SNAP_LXD_DIR.slice("/var/snap/".length)), { recursive: true });
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
export function bootScript(host: TestbedHost): string {
  const mounts = PRIVATE_PATHS.map(
    ({ target, name }) => `mkdir -p ${target}\nmount --bind ${privateDir(host, name)} ${target}`,
  ).join("\n");
  // Snap hosts: the mount points are made on the machine only if absent (its own /snap, if any,
  // stays as it is outside this namespace), and the stand-in starts lxd from the snap options.
  const snapMounts = SNAP_PRIVATE_PATHS.map(
    ({ target, name }) => `[ -d ${target} ] || mkdir ${target}\nmount --bind ${privateDir(host, name)} ${target}`,
  ).join("\n");
  const start =
    host.install === "snap"
      ? `${snapMounts}\nmount --bind ${privateDir(host, "var-lib-lxd")} ${SNAP_LXD_DIR}\n/usr/local/sbin/snap start lxd`
      : `lxd --group root --logfile ${host.lxdLog} </dev/null >/dev/null 2>&1 &\necho $! > ${host.lxdPidFile}`;
  // A syslog for lxd --syslog: the machine has none. The mount point is made only if absent.
  const syslog = [
    `/usr/bin/perl ${path.join(TESTBED_DIR, "syslog-sink.pl")} ${host.syslogSocket} ${host.syslogLog} </dev/null >/dev/null 2>&1 &`,
    `fleet_wait=0; while [ ! -S ${host.syslogSocket} ] && [ $fleet_wait -lt 50 ]; do sleep 0.1; fleet_wait=$((fleet_wait + 1)); done`,
    `if [ -S ${host.syslogSocket} ]; then`,
    `  [ -e ${SYSLOG_PATH} ] || : > ${SYSLOG_PATH}`,
    `  mount --bind ${host.syslogSocket} ${SYSLOG_PATH}`,
    `else`,
    `  echo "fleet testbed: the syslog receiver did not start: lxd --syslog will not start on ${host.name}" >&2`,
    `fi`,
  ].join("\n");
  return `#!/bin/sh
# fleet testbed host ${host.name}: generated, do not edit
set -e
hostname ${host.name}
${mounts}
${syslog}
${start}
exec /usr/sbin/sshd -D -f ${host.sshdConfig} -E ${path.join(host.dir, "sshd.log")}
`;
}
