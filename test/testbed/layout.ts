/**
 * Pure description of a testbed: which hosts exist, where each one's state lives, and which
 * system paths are made private to each host. No I/O here.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";

export const TESTBED_DIR = path.dirname(fileURLToPath(import.meta.url));
export const DEFAULT_STATE_DIR = path.join(TESTBED_DIR, ".state");

/**
 * System paths each host gets its own copy of (bind mounts inside the host's mount namespace).
 * `seed: true` copies the machine's current content into the host's copy when it is created, so a
 * host starts out looking like a fresh install rather than an empty directory.
 */
export const PRIVATE_PATHS: readonly { target: string; name: string; seed: boolean }[] = [
  { target: "/var/lib/lxd", name: "var-lib-lxd", seed: false },
  { target: "/var/log/lxd", name: "var-log-lxd", seed: false },
  { target: "/etc/sysctl.d", name: "etc-sysctl.d", seed: true },
  { target: "/etc/audit/rules.d", name: "etc-audit-rules.d", seed: true },
  { target: "/etc/tmpfiles.d", name: "etc-tmpfiles.d", seed: true },
  { target: "/root", name: "root-home", seed: false },
  { target: "/home/fleet", name: "fleet-home", seed: false },
  { target: "/home/fleetpw", name: "fleetpw-home", seed: false },
  { target: "/usr/local/sbin", name: "usr-local-sbin", seed: true },
];

/**
 * How LXD looks installed on a host. Every host runs Debian's lxd 5.0.2 (no snapd can run here);
 * a `snap` host additionally looks like the lxd snap to fleet: /snap/bin/lxc and lxd, the snap's
 * LXD dir /var/snap/lxd/common/lxd (the same directory as /var/lib/lxd), the snap's pid file, and
 * a stand-in `snap` whose `snap restart lxd` restarts the daemon with the daemon.* options.
 */
export type LxdInstallKind = "deb" | "snap";

/** tb1 and tb2 keep the Debian package; tb3.. and every cluster member look like the snap. */
export function installKindOf(role: HostRole, index: number): LxdInstallKind {
  return role === "standalone" && index <= 2 ? "deb" : "snap";
}

/** The channel the stand-in reports for the snap hosts (`snap list lxd`): the release that runs. */
export const SNAP_TRACKING = "5.0/stable";

/**
 * The snap's paths on a snap host: a private /snap (bin/lxc, bin/lxd...) and /var/snap, and the
 * host's LXD dir bind-mounted at the snap's LXD dir. The mount points /snap and /var/snap are
 * created on the machine only when absent; nothing is ever removed there.
 */
export const SNAP_PRIVATE_PATHS: readonly { target: string; name: string }[] = [
  { target: "/snap", name: "snap" },
  { target: "/var/snap", name: "var-snap" },
];
export const SNAP_LXD_DIR = "/var/snap/lxd/common/lxd";
/** Where Go's log/syslog looks after /dev/log (which the machine lacks): each host's syslog socket. */
export const SYSLOG_PATH = "/var/run/syslog";

/**
 * Login accounts on every host, all authorized with the client key. `fleet` has passwordless
 * sudo; `fleetpw` must give sudo a password, so become with a password is tested against the
 * real sudo. The password is a fixture of this local testbed, not a secret.
 */
export const TESTBED_ACCOUNTS: readonly { user: string; home: string; privateHome: string; sudoPassword: string | undefined }[] = [
  { user: "fleet", home: "/home/fleet", privateHome: "fleet-home", sudoPassword: undefined },
  { user: "fleetpw", home: "/home/fleetpw", privateHome: "fleetpw-home", sudoPassword: "testbed-sudo-password" },
];

export type HostRole = "standalone" | "cluster";

export interface TestbedHost {
  name: string;
  role: HostRole;
  install: LxdInstallKind;
  address: string;
  port: number;
  /** Directory holding everything this host owns. */
  dir: string;
  sshdConfig: string;
  sshdPidFile: string;
  lxdPidFile: string;
  bootScript: string;
  bootLog: string;
  lxdLog: string;
  /** The host's syslog socket (bind-mounted at /var/run/syslog) and where its messages go. */
  syslogSocket: string;
  syslogLog: string;
  hostKey: string;
}

export interface TestbedLayout {
  stateDir: string;
  inventoryFile: string;
  knownHostsFile: string;
  clientKeyFile: string;
  clusterName: string;
  hosts: TestbedHost[];
}

export interface TestbedSize {
  hosts: number;
  cluster: number;
}

/**
 * Hosts listen on 127.0.SUBNET.N. The default testbed uses subnet 1; a second testbed (the
 * lifecycle tests bring one up beside the main one) needs its own subnet and state directory.
 */
export const DEFAULT_SUBNET = 1;

export const DEFAULT_SIZE: TestbedSize = { hosts: 3, cluster: 2 };
export const CLUSTER_GROUP = "cluster1";
export const STANDALONE_GROUP = "standalone";
export const LXD_HTTPS_PORT = 8443;

/** Standalone host N listens on 127.0.SUBNET.N, cluster member M on 127.0.SUBNET.(100+M). */
export function planLayout(size: TestbedSize, stateDir: string = DEFAULT_STATE_DIR, subnet: number = DEFAULT_SUBNET): TestbedLayout {
  if (!Number.isInteger(size.hosts) || size.hosts < 0 || size.hosts > 99) {
    throw new RangeError(`--hosts must be an integer from 0 to 99, got ${size.hosts}`);
  }
  if (!Number.isInteger(size.cluster) || size.cluster < 0 || size.cluster > 99 || size.cluster === 1) {
    throw new RangeError(`--cluster must be 0 or an integer from 2 to 99, got ${size.cluster}`);
  }
  const hosts: TestbedHost[] = [];
  for (let n = 1; n <= size.hosts; n++) hosts.push(describeHost(stateDir, `tb${n}`, "standalone", `127.0.${subnet}.${n}`, installKindOf("standalone", n)));
  for (let m = 1; m <= size.cluster; m++) hosts.push(describeHost(stateDir, `tbc${m}`, "cluster", `127.0.${subnet}.${100 + m}`, installKindOf("cluster", m)));
  return {
    stateDir,
    inventoryFile: path.join(stateDir, "inventory.yml"),
    knownHostsFile: path.join(stateDir, "known_hosts"),
    clientKeyFile: path.join(stateDir, "id_ed25519"),
    clusterName: CLUSTER_GROUP,
    hosts,
  };
}

function describeHost(stateDir: string, name: string, role: HostRole, address: string, install: LxdInstallKind): TestbedHost {
  const dir = path.join(stateDir, "hosts", name);
  return {
    name,
    role,
    install,
    address,
    port: 22,
    dir,
    sshdConfig: path.join(dir, "sshd_config"),
    sshdPidFile: path.join(dir, "sshd.pid"),
    lxdPidFile: path.join(dir, "lxd.pid"),
    bootScript: path.join(dir, "boot.sh"),
    bootLog: path.join(dir, "boot.log"),
    lxdLog: path.join(dir, "lxd.log"),
    syslogSocket: path.join(dir, "syslog.sock"),
    syslogLog: path.join(dir, "syslog.log"),
    hostKey: path.join(dir, "ssh_host_ed25519_key"),
  };
}

export function privateDir(host: TestbedHost, name: string): string {
  return path.join(host.dir, "private", name);
}
