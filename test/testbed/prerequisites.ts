/** Make sure this machine can host a testbed: root, Debian/Ubuntu, packages, the fleet account. */
import { existsSync, readFileSync, mkdirSync, writeFileSync } from "node:fs";
import { TESTBED_ACCOUNTS } from "./layout.js";
import { run } from "./run.js";

const REQUIRED_PACKAGES: readonly { pkg: string; probe: string }[] = [
  { pkg: "openssh-server", probe: "/usr/sbin/sshd" },
  { pkg: "openssh-client", probe: "/usr/bin/ssh-keygen" },
  { pkg: "lxd", probe: "/usr/bin/lxd" },
  { pkg: "lxd-client", probe: "/usr/bin/lxc" },
  { pkg: "auditd", probe: "/usr/sbin/auditctl" },
  { pkg: "sudo", probe: "/usr/bin/sudo" },
  { pkg: "util-linux", probe: "/usr/bin/nsenter" },
  // the hosts' syslog receiver (test/testbed/syslog-sink.pl); Essential on Debian
  { pkg: "perl-base", probe: "/usr/bin/perl" },
];

export class TestbedPrerequisiteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TestbedPrerequisiteError";
  }
}

export async function ensurePrerequisites(log: (line: string) => void): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new TestbedPrerequisiteError(
      "the testbed must run as root (it creates mount namespaces and starts sshd and lxd); run it with sudo or as root",
    );
  }
  const missing = REQUIRED_PACKAGES.filter(({ probe }) => !existsSync(probe)).map(({ pkg }) => pkg);
  if (missing.length > 0) {
    if (!isDebianLike()) {
      throw new TestbedPrerequisiteError(
        `missing ${missing.join(", ")} and this is not Debian/Ubuntu, so the testbed cannot install them; install them by hand`,
      );
    }
    log(`installing ${missing.join(" ")} with apt-get (services are not started)`);
    preventServiceStarts();
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    await run(["apt-get", "update", "-q"], { env, timeoutMs: 600_000 });
    await run(["apt-get", "install", "-y", "-q", "--no-install-recommends", ...missing], { env, timeoutMs: 900_000 });
  }
  mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  await ensureAccounts();
}

function isDebianLike(): boolean {
  try {
    return /^(ID|ID_LIKE)=.*\b(debian|ubuntu)\b/m.test(readFileSync("/etc/os-release", "utf8"));
  } catch {
    return false;
  }
}

/** Package installs must not start the machine's own sshd or lxd: the testbed owns those ports. */
function preventServiceStarts(): void {
  const policy = "/usr/sbin/policy-rc.d";
  if (!existsSync(policy)) writeFileSync(policy, "#!/bin/sh\nexit 101\n", { mode: 0o755 });
}

/** The testbed accounts log in with the client key; they exercise become (see TESTBED_ACCOUNTS). */
async function ensureAccounts(): Promise<void> {
  mkdirSync("/etc/sudoers.d", { recursive: true });
  for (const account of TESTBED_ACCOUNTS) {
    if (accountIds(account.user) === undefined) {
      await run(["useradd", "--create-home", "--shell", "/bin/bash", "--comment", "fleet testbed account", account.user]);
    }
    mkdirSync(account.home, { recursive: true });
    if (account.sudoPassword === undefined) {
      // useradd leaves the password locked ("!"), and sshd refuses key logins to locked accounts
      // when UsePAM is off; "*" means no password without the lock.
      await run(["usermod", "-p", "*", account.user]);
      writeFileSync(`/etc/sudoers.d/testbed-${account.user}`, `${account.user} ALL=(ALL:ALL) NOPASSWD: ALL\n`, { mode: 0o440 });
    } else {
      await run(["chpasswd"], { input: `${account.user}:${account.sudoPassword}\n` });
      writeFileSync(`/etc/sudoers.d/testbed-${account.user}`, `${account.user} ALL=(ALL:ALL) ALL\n`, { mode: 0o440 });
    }
  }
}

/** uid and gid of a local account, from /etc/passwd; undefined when there is no such account. */
export function accountIds(user: string): { uid: number; gid: number } | undefined {
  for (const line of readFileSync("/etc/passwd", "utf8").split("\n")) {
    const [name, , uid, gid] = line.split(":");
    if (name === user && uid !== undefined && gid !== undefined) return { uid: Number(uid), gid: Number(gid) };
  }
  return undefined;
}
