import { homedir, userInfo } from "node:os";
import { join } from "node:path";
import type { HostConnection } from "../inventory/types.js";
import type { PassphraseSource } from "./key-cache.js";
import { LocalTransport } from "./local.js";
import { SshTransport } from "./ssh.js";
import { loadSshConfig } from "./ssh-config.js";
import type { Connection, HostKeyPolicy, Transport } from "./types.js";

export interface TransportSettings {
  connectTimeoutMs?: number;
  maxSessionsPerConnection?: number;
  /** From the command line; when undefined, StrictHostKeyChecking in ~/.ssh/config or strict. */
  hostKeyPolicy?: HostKeyPolicy;
  /** Defaults to ~/.ssh/config. */
  sshConfigFile?: string;
  /** Defaults to the home directory of the current user (where ~/.ssh lives). */
  home?: string;
  globalKnownHostsFiles?: readonly string[];
  agentSocket?: string;
  passphraseFor?: PassphraseSource;
  becomePassword?: string;
  outputLimit?: number;
  warn?: (message: string) => void;
}

export const TRANSPORT_DEFAULTS = {
  connectTimeoutMs: 10_000,
  keepaliveIntervalMs: 15_000,
  keepaliveCountMax: 3,
  maxSessionsPerConnection: 8,
  outputLimit: 1024 * 1024,
  globalKnownHostsFiles: ["/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts2"],
} as const;

/** The transport of a run: SSH for most hosts, local for ansible_connection=local. */
export async function createTransport(settings: TransportSettings = {}): Promise<Transport> {
  const home = settings.home ?? homedir();
  const sshConfig = await loadSshConfig(settings.sshConfigFile ?? join(home, ".ssh", "config"));
  const outputLimit = settings.outputLimit ?? TRANSPORT_DEFAULTS.outputLimit;
  const ssh = new SshTransport({
    endpoint: {
      sshConfig,
      home,
      localUser: userInfo().username,
      policy: settings.hostKeyPolicy,
      globalKnownHostsFiles: settings.globalKnownHostsFiles ?? TRANSPORT_DEFAULTS.globalKnownHostsFiles,
    },
    connectTimeoutMs: settings.connectTimeoutMs ?? TRANSPORT_DEFAULTS.connectTimeoutMs,
    keepaliveIntervalMs: TRANSPORT_DEFAULTS.keepaliveIntervalMs,
    keepaliveCountMax: TRANSPORT_DEFAULTS.keepaliveCountMax,
    maxSessionsPerConnection: settings.maxSessionsPerConnection ?? TRANSPORT_DEFAULTS.maxSessionsPerConnection,
    outputLimit,
    agentSocket: settings.agentSocket,
    passphraseFor: settings.passphraseFor ?? (() => Promise.resolve(undefined)),
    becomePassword: settings.becomePassword,
    warn: settings.warn ?? (() => {}),
  });
  const local = new LocalTransport({ outputLimit, becomePassword: settings.becomePassword });
  return {
    connect: (target: HostConnection): Promise<Connection> => (target.connection === "local" ? local : ssh).connect(target),
    close: async () => {
      await Promise.all([ssh.close(), local.close()]);
    },
  };
}
