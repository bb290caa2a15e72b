import { join } from "node:path";
import { UsageError } from "../errors.js";
import type { HostConnection } from "../inventory/types.js";
import type { SshConfigLookup } from "./ssh-config.js";
import type { HostKeyPolicy } from "./types.js";

export interface JumpSpec {
  user: string | undefined;
  address: string;
  port: number | undefined;
}

/** Everything needed to open an SSH connection to one host, after inventory and ~/.ssh/config are merged. */
export interface Endpoint {
  /** The inventory name, used in messages. */
  host: string;
  address: string;
  port: number;
  user: string;
  identityFiles: string[];
  /** False when identityFiles are OpenSSH's defaults (which may well not exist). */
  identityFilesConfigured: boolean;
  /** Files searched for the host key, in order. */
  knownHostsFiles: string[];
  /** Where accept-new records a new key. */
  recordFile: string;
  policy: HostKeyPolicy;
  /** Jump hosts, outermost first. */
  jumps: JumpSpec[];
}

export interface EndpointContext {
  sshConfig: SshConfigLookup;
  home: string;
  localUser: string;
  /** The policy given on the command line; it wins over StrictHostKeyChecking in ~/.ssh/config. */
  policy: HostKeyPolicy | undefined;
  globalKnownHostsFiles: readonly string[];
}

const DEFAULT_IDENTITIES = ["id_rsa", "id_ecdsa", "id_ed25519"];

/** Merge a host's inventory connection variables with ~/.ssh/config; inventory variables win. */
export function resolveEndpoint(target: HostConnection, context: EndpointContext): Endpoint {
  const config = context.sshConfig.resolve(target.address);
  if (config.proxyCommand !== undefined && target.jump === undefined) {
    throw new UsageError("SSH_CONFIG_UNSUPPORTED", `~/.ssh/config: ProxyCommand (for ${target.address}) is not supported by fleet, which would otherwise reach the host directly`, "use ProxyJump in ~/.ssh/config, or fleet_jump in the inventory");
  }
  const address = config.hostName ?? target.address;
  const port = target.port ?? config.port ?? 22;
  const user = target.user ?? config.user ?? context.localUser;
  const expand = (path: string): string => expandPath(path, { home: context.home, localUser: context.localUser, address, port, user, alias: target.address });

  const configured = [target.privateKeyFile, ...config.identityFiles].filter((file): file is string => file !== undefined);
  const identityFiles = configured.length > 0
    ? unique(configured.map(expand))
    : DEFAULT_IDENTITIES.map((name) => join(context.home, ".ssh", name));

  const userFiles = config.userKnownHostsFiles.length > 0
    ? config.userKnownHostsFiles.map(expand)
    : [join(context.home, ".ssh", "known_hosts"), join(context.home, ".ssh", "known_hosts2")];
  const inventoryFile = target.knownHostsFile === undefined ? [] : [expand(target.knownHostsFile)];
  const knownHostsFiles = unique([...inventoryFile, ...userFiles, ...context.globalKnownHostsFiles]);
  const recordFile = inventoryFile[0] ?? userFiles[0] ?? join(context.home, ".ssh", "known_hosts");

  return {
    host: target.host,
    address,
    port,
    user,
    identityFiles,
    identityFilesConfigured: configured.length > 0,
    knownHostsFiles,
    recordFile,
    policy: context.policy ?? policyFromSshConfig(config.strictHostKeyChecking, target.host),
    jumps: target.jump ? [target.jump] : config.proxyJump.map((hop) => parseJumpSpec(hop, `ProxyJump of ${target.host}`)),
  };
}

export function policyFromSshConfig(value: string | undefined, host: string): HostKeyPolicy {
  switch (value) {
    case undefined:
    case "yes":
    case "ask":
      return "strict";
    case "accept-new":
      return "accept-new";
    case "no":
    case "off":
      return "off";
    default:
      throw new UsageError("SSH_CONFIG_VALUE", `~/.ssh/config: StrictHostKeyChecking ${value} (for ${host}) is not understood`, "use yes, accept-new or no");
  }
}

/** `[user@]host[:port]`, with `[v6addr]:port` accepted as well. */
export function parseJumpSpec(text: string, where: string): JumpSpec {
  const match = /^(?:([^@\s]+)@)?(\[[^\]]+\]|[^:@\s]+)(?::(\d+))?$/.exec(text.trim());
  if (!match || match[2] === undefined) {
    throw new UsageError("JUMP_HOST_SPEC", `${where}: cannot read jump host "${text}"`, "write it as user@host:port (user and port are optional)");
  }
  return {
    user: match[1],
    address: match[2].replace(/^\[|\]$/g, ""),
    port: match[3] === undefined ? undefined : Number(match[3]),
  };
}

interface Tokens {
  home: string;
  localUser: string;
  address: string;
  port: number;
  user: string;
  alias: string;
}

/** `~` and the OpenSSH tokens %d %u %h %p %r %n %%. */
export function expandPath(path: string, tokens: Tokens): string {
  const withHome = path === "~" || path.startsWith("~/") ? tokens.home + path.slice(1) : path;
  return withHome.replace(/%([%duhprn])/g, (_, token: string) => {
    switch (token) {
      case "d": return tokens.home;
      case "u": return tokens.localUser;
      case "h": return tokens.address;
      case "p": return String(tokens.port);
      case "r": return tokens.user;
      case "n": return tokens.alias;
      default: return "%";
    }
  });
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}
