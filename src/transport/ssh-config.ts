import { readFile } from "node:fs/promises";
import SSHConfig from "ssh-config";

/** The ~/.ssh/config settings fleet honours for one host alias. Unset settings are undefined. */
export interface SshHostConfig {
  hostName: string | undefined;
  user: string | undefined;
  port: number | undefined;
  identityFiles: string[];
  /** ProxyJump hops, outermost first; empty for none. */
  proxyJump: string[];
  strictHostKeyChecking: string | undefined;
  userKnownHostsFiles: string[];
}

export interface SshConfigLookup {
  resolve(alias: string): SshHostConfig;
}

export const emptySshConfig: SshConfigLookup = {
  resolve: () => ({
    hostName: undefined,
    user: undefined,
    port: undefined,
    identityFiles: [],
    proxyJump: [],
    strictHostKeyChecking: undefined,
    userKnownHostsFiles: [],
  }),
};

/** Parse ssh_config text. `Match exec` is never run (no shell commands from config per host). */
export function parseSshConfig(text: string): SshConfigLookup {
  const config = SSHConfig.parse(text);
  const cache = new Map<string, SshHostConfig>();
  return {
    resolve(alias) {
      let resolved = cache.get(alias);
      if (!resolved) {
        resolved = toHostConfig(config.compute(alias, { ignoreCase: true, matchExec: false }));
        cache.set(alias, resolved);
      }
      return resolved;
    },
  };
}

/** Read a config file; a missing file is an empty config. */
export async function loadSshConfig(file: string): Promise<SshConfigLookup> {
  try {
    return parseSshConfig(await readFile(file, "utf8"));
  } catch (error) {
    if (typeof error === "object" && error !== null && "code" in error && error.code === "ENOENT") return emptySshConfig;
    throw error;
  }
}

function toHostConfig(computed: Record<string, string | string[]>): SshHostConfig {
  const first = (key: string): string | undefined => {
    const value = computed[key];
    return Array.isArray(value) ? value[0] : value;
  };
  const all = (key: string): string[] => {
    const value = computed[key];
    if (value === undefined) return [];
    return (Array.isArray(value) ? value : [value]).flatMap((item) => item.split(/\s+/)).filter((item) => item !== "");
  };
  const port = first("port");
  const jump = first("proxyjump");
  return {
    hostName: first("hostname"),
    user: first("user"),
    port: port === undefined || !/^\d+$/.test(port) ? undefined : Number(port),
    identityFiles: all("identityfile"),
    proxyJump: jump === undefined || jump.toLowerCase() === "none" ? [] : jump.split(",").filter((hop) => hop !== ""),
    strictHostKeyChecking: first("stricthostkeychecking")?.toLowerCase(),
    userKnownHostsFiles: all("userknownhostsfile"),
  };
}
