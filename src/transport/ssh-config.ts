import { readdir, readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { basename, dirname, isAbsolute, join } from "node:path";
import SSHConfig from "ssh-config";
import { UsageError } from "../errors.js";

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
  /** ProxyCommand (not "none"): fleet does not run it, so a host using it is refused, never reached directly. */
  proxyCommand: string | undefined;
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
    proxyCommand: undefined,
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

/** Read a config file with its Include files; a missing file is an empty config. */
export async function loadSshConfig(file: string): Promise<SshConfigLookup> {
  const text = await readWithIncludes(file, dirname(file), 0);
  return text === undefined ? emptySshConfig : parseSshConfig(text);
}

/** OpenSSH's limit on nested Include. */
const MAX_INCLUDE_DEPTH = 16;

/**
 * The file's text with every `Include` line replaced by the files it names, in place (so an
 * Include inside a Host block applies to that block, as in OpenSSH): relative paths are taken from
 * the directory of the user's config (~/.ssh), `~` is the home directory, `*` and `?` match in the
 * last path part, matches are read in sorted order, and names that match nothing are skipped.
 */
async function readWithIncludes(file: string, baseDir: string, depth: number): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if (typeof error === "object" && error !== null && "code" in error && (error.code === "ENOENT" || error.code === "ENOTDIR")) return undefined;
    // OpenSSH reads nothing from a directory named by Include; fleet says so instead of failing
    if (typeof error === "object" && error !== null && "code" in error && error.code === "EISDIR") {
      throw new UsageError("SSH_CONFIG_INCLUDE", `${file} is a directory, not an ssh client config file`, "name files in Include (a glob such as config.d/* reads every file of a directory)");
    }
    throw new UsageError("SSH_CONFIG_UNREADABLE", `cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`, "check the path and its permissions");
  }
  const lines: string[] = [];
  for (const line of text.split("\n")) {
    const include = /^\s*include\s+(.+?)\s*$/i.exec(line);
    if (include?.[1] === undefined) {
      lines.push(line);
      continue;
    }
    if (depth >= MAX_INCLUDE_DEPTH) throw new UsageError("SSH_CONFIG_INCLUDE", `${file}: Include nested more than ${MAX_INCLUDE_DEPTH} deep`, "look for an Include loop");
    for (const pattern of include[1].split(/\s+/).map((word) => word.replace(/^"(.*)"$/, "$1"))) {
      for (const included of await matchingFiles(pattern, baseDir)) {
        const inner = await readWithIncludes(included, baseDir, depth + 1);
        if (inner !== undefined) lines.push(inner);
      }
    }
  }
  return lines.join("\n");
}

async function matchingFiles(pattern: string, baseDir: string): Promise<string[]> {
  const expanded = pattern.startsWith("~/") ? join(homedir(), pattern.slice(2)) : pattern;
  const full = isAbsolute(expanded) ? expanded : join(baseDir, expanded);
  const name = basename(full);
  if (!/[*?]/.test(name)) return [full];
  const matcher = new RegExp(`^${name.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
  const entries = await readdir(dirname(full)).catch(() => [] as string[]);
  return entries.filter((entry) => matcher.test(entry)).sort().map((entry) => join(dirname(full), entry));
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
  const proxyCommand = first("proxycommand");
  return {
    hostName: first("hostname"),
    user: first("user"),
    port: port === undefined || !/^\d+$/.test(port) ? undefined : Number(port),
    identityFiles: all("identityfile"),
    proxyJump: jump === undefined || jump.toLowerCase() === "none" ? [] : jump.split(",").filter((hop) => hop !== ""),
    strictHostKeyChecking: first("stricthostkeychecking")?.toLowerCase(),
    userKnownHostsFiles: all("userknownhostsfile"),
    proxyCommand: proxyCommand === undefined || proxyCommand.toLowerCase() === "none" ? undefined : proxyCommand,
  };
}
