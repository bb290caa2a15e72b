/** What integration tests need to know about the running testbed, and OpenSSH helpers to reach it. */
import { execFile } from "node:child_process";
import { DEFAULT_STATE_DIR, TESTBED_ACCOUNTS, type TestbedLayout } from "../testbed/layout.js";
import { savedLayout } from "../testbed/testbed.js";

export interface TestbedHostInfo {
  name: string;
  role: "standalone" | "cluster";
  address: string;
  port: number;
  sshdPidFile: string;
}

export interface TestbedInfo {
  stateDir: string;
  inventoryFile: string;
  knownHostsFile: string;
  clientKeyFile: string;
  hosts: TestbedHostInfo[];
}

export function testbed(stateDir: string = DEFAULT_STATE_DIR): TestbedInfo {
  const layout: TestbedLayout | undefined = savedLayout(stateDir);
  if (layout === undefined) throw new Error(`no testbed in ${stateDir}: the integration globalSetup should have started it`);
  return {
    stateDir: layout.stateDir,
    inventoryFile: layout.inventoryFile,
    knownHostsFile: layout.knownHostsFile,
    clientKeyFile: layout.clientKeyFile,
    hosts: layout.hosts.map(({ name, role, address, port, sshdPidFile }) => ({ name, role, address, port, sshdPidFile })),
  };
}

/** The testbed account whose sudo asks for a password, and that password. */
export function passwordSudoAccount(): { user: string; password: string } {
  const account = TESTBED_ACCOUNTS.find((candidate) => candidate.sudoPassword !== undefined);
  if (account?.sudoPassword === undefined) throw new Error("the testbed has no account with password sudo");
  return { user: account.user, password: account.sudoPassword };
}

export function testbedHost(name: string, info: TestbedInfo = testbed()): TestbedHostInfo {
  const host = info.hosts.find((candidate) => candidate.name === name);
  if (host === undefined) throw new Error(`testbed has no host ${name}`);
  return host;
}

export interface SshOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command on a testbed host with the OpenSSH client, using only the generated files
 * (no ~/.ssh/config, strict host-key checking, never a prompt).
 */
export function openssh(
  host: TestbedHostInfo,
  command: string,
  options: { user?: string; knownHostsFile?: string; info?: TestbedInfo } = {},
): Promise<SshOutcome> {
  const info = options.info ?? testbed();
  const args = [
    "-F", "/dev/null",
    "-i", info.clientKeyFile,
    "-o", "IdentitiesOnly=yes",
    "-o", `UserKnownHostsFile=${options.knownHostsFile ?? info.knownHostsFile}`,
    "-o", "GlobalKnownHostsFile=/dev/null",
    "-o", "StrictHostKeyChecking=yes",
    "-o", "BatchMode=yes",
    "-o", "ConnectTimeout=10",
    "-p", String(host.port),
    `${options.user ?? "root"}@${host.address}`,
    command,
  ];
  return new Promise((resolve) => {
    const child = execFile("ssh", args, { timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
    child.stdin?.on("error", () => {}); // ssh may exit before stdin closes (EPIPE); its exit code tells
    child.stdin?.end();
  });
}

/** Like openssh() but fails the test with the remote stderr when the command does not exit 0. */
export async function sshOk(host: TestbedHostInfo, command: string, options: { user?: string } = {}): Promise<string> {
  const outcome = await openssh(host, command, options);
  if (outcome.code !== 0) throw new Error(`${host.name}: \`${command}\` exited ${outcome.code}: ${outcome.stderr.trim()}`);
  return outcome.stdout;
}
