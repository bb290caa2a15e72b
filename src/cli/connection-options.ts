import { statSync } from "node:fs";
import { Option, type Command } from "commander";
import { UsageError } from "../errors.js";
import { FAN_OUT_DEFAULTS } from "../engine/fan-out.js";
import type { SecretMask } from "../engine/secret-mask.js";
import { createTransport } from "../transport/create.js";
import { SecretEnv } from "../transport/secret-env.js";
import type { HostKeyPolicy, Transport } from "../transport/types.js";
import type { CliIo } from "./program.js";
import { collectRepeated } from "./repeatable-option.js";
import { rememberSecret } from "./secret-output.js";
import { terminalSecretPrompt } from "./secret-prompt.js";

/** Flags every command that reaches hosts shares (exec, run, audit). */
export interface ConnectionFlags {
  inventory?: string[];
  limit?: string;
  shard?: string;
  forks: string;
  connectTimeout: string;
  hostKeyChecking?: HostKeyPolicy;
  askBecomePass?: boolean;
  sshConfig?: string;
}

export function addConnectionOptions(command: Command): Command {
  return command
    .option("-i, --inventory <path>", "inventory file or directory (repeatable; default: $FLEET_INVENTORY)", collectRepeated)
    .option("-l, --limit <pattern>", "only hosts matching this pattern (as ansible --limit)")
    .option("--shard <I/N>", "only shard I of N of the selected hosts (by name; an LXD cluster's members stay together)")
    .option("-f, --forks <n>", "hosts worked on at once", String(FAN_OUT_DEFAULTS.forks))
    .option("-K, --ask-become-pass", "ask for the sudo password (or set FLEET_BECOME_PASSWORD)")
    .option("--connect-timeout <seconds>", "give up on a host whose SSH handshake takes longer", "10")
    .addOption(new Option("--host-key-checking <policy>", "unknown host keys: strict refuses, accept-new records, off accepts (with a warning)").choices(["strict", "accept-new", "off"]))
    .option("--ssh-config <file>", "ssh client config to read (default ~/.ssh/config)");
}

/**
 * The transport of a run, from the shared flags; asks for secrets on the terminal when needed.
 * Secrets typed at a prompt are added to `mask`, so that output never shows them.
 */
export async function openTransport(flags: ConnectionFlags, io: CliIo, warn: (message: string) => void, mask?: SecretMask): Promise<Transport> {
  const connectTimeoutMs = positiveSeconds(flags.connectTimeout, "--connect-timeout");
  if (flags.sshConfig !== undefined) sshConfigFile(flags.sshConfig);
  const prompt = terminalSecretPrompt(io.stderr);
  const typed = (value: string | undefined, what: string): string | undefined => {
    const warning = value === undefined || mask === undefined ? null : rememberSecret(mask, value, what);
    if (warning !== null) warn(warning);
    return value;
  };
  const becomePassword = io.env[SecretEnv.becomePassword] ?? (flags.askBecomePass ? typed(await askBecomePassword(prompt), "become password") : undefined);
  return createTransport({
    connectTimeoutMs,
    ...(flags.hostKeyChecking === undefined ? {} : { hostKeyPolicy: flags.hostKeyChecking }),
    ...(flags.sshConfig === undefined ? {} : { sshConfigFile: flags.sshConfig }),
    ...(io.env["SSH_AUTH_SOCK"] ? { agentSocket: io.env["SSH_AUTH_SOCK"] } : {}),
    ...(becomePassword === undefined ? {} : { becomePassword }),
    passphraseFor: (file) => {
      const fromEnv = io.env[SecretEnv.sshPassphrase];
      if (fromEnv !== undefined) return Promise.resolve(fromEnv);
      return prompt ? prompt(`passphrase for ${file}: `).then((answer) => typed(answer, `passphrase for ${file}`)) : Promise.resolve(undefined);
    },
    warn,
  });
}

async function askBecomePassword(prompt: ReturnType<typeof terminalSecretPrompt>): Promise<string> {
  if (!prompt) throw new UsageError("EXEC_NO_TERMINAL", "--ask-become-pass needs a terminal", "set FLEET_BECOME_PASSWORD instead");
  const answer = await prompt("BECOME password: ");
  if (answer === undefined) throw new UsageError("EXEC_NO_PASSWORD", "no become password given", "type it at the prompt, or set FLEET_BECOME_PASSWORD");
  return answer;
}

/**
 * --ssh-config names a file; one that does not exist is an empty config (as a missing
 * ~/.ssh/config is), but a directory is a mistake to say so about, not to read.
 */
export function sshConfigFile(file: string): string {
  let directory = false;
  try {
    directory = statSync(file).isDirectory();
  } catch {
    return file;
  }
  if (directory) throw new UsageError("EXEC_BAD_OPTION", `--ssh-config ${file} is a directory, not an ssh client config file`, "give the path of a file such as ~/.ssh/config");
  return file;
}

export function positiveInteger(text: string, flag: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new UsageError("EXEC_BAD_OPTION", `${flag} must be a whole number of at least 1, not "${text}"`);
  return Number(text);
}

/** Node's timers hold at most 2^31 - 1 ms (24.8 days); a longer delay fires at once. */
export const MAX_DURATION_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

export function positiveSeconds(text: string, flag: string): number {
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || value <= 0) throw new UsageError("EXEC_BAD_OPTION", `${flag} must be a number of seconds above 0, not "${text}"`);
  if (value > MAX_DURATION_SECONDS) throw new UsageError("EXEC_BAD_OPTION", `${flag} ${text} is too long: at most ${MAX_DURATION_SECONDS} seconds (24 days)`, "leave the option out for no limit");
  return Math.round(value * 1000);
}
