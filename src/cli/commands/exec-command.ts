import { UsageError } from "../../errors.js";
import { runExec } from "../../engine/exec.js";
import { FAN_OUT_DEFAULTS } from "../../engine/fan-out.js";
import { hostConnections } from "../../inventory/connection.js";
import { loadInventory } from "../../inventory/load.js";
import { selectHosts } from "../../inventory/select.js";
import { createTransport } from "../../transport/create.js";
import { SecretEnv } from "../../transport/secret-env.js";
import type { HostKeyPolicy } from "../../transport/types.js";
import type { ExitCodeValue } from "../exit-codes.js";
import { execExitCode, execJson, groupedOutput, summaryTable } from "../exec-output.js";
import { ExecProgress } from "../exec-progress.js";
import type { CliIo } from "../program.js";
import { terminalSecretPrompt } from "../secret-prompt.js";
import { inventorySources } from "../inventory-sources.js";

export interface ExecFlags {
  inventory?: string[];
  limit?: string;
  forks: string;
  become?: boolean;
  json?: boolean;
  timeout?: string;
  connectTimeout: string;
  hostKeyChecking?: HostKeyPolicy;
  askBecomePass?: boolean;
  sshConfig?: string;
}

/** `fleet exec`: run one command on every selected host and report per host. */
export async function execCommand(words: readonly string[], flags: ExecFlags, io: CliIo): Promise<ExitCodeValue> {
  const command = words.join(" ");
  if (command.trim() === "") throw new UsageError("EXEC_NO_COMMAND", "no command given", "put the command after --, e.g. fleet exec -i hosts.yml -- uptime");
  const forks = positiveInteger(flags.forks, "--forks");
  const connectTimeoutMs = positiveSeconds(flags.connectTimeout, "--connect-timeout");
  const timeoutMs = flags.timeout === undefined ? undefined : positiveSeconds(flags.timeout, "--timeout");
  const sources = inventorySources(flags.inventory ?? [], io.env);

  const inventory = await loadInventory(sources);
  for (const warning of inventory.warnings) io.stderr.write(`fleet: warning: ${warning}\n`);
  // selectHosts refuses (exit 5) a limit that selects no host
  const hosts = selectHosts(inventory, undefined, flags.limit);
  const targets = hostConnections(hosts);

  const prompt = terminalSecretPrompt(io.stderr);
  const becomePassword = io.env[SecretEnv.becomePassword] ?? (flags.askBecomePass ? await askBecomePassword(prompt) : undefined);
  const progress = new ExecProgress(io.stderr, targets.length);
  const transport = await createTransport({
    connectTimeoutMs,
    ...(flags.hostKeyChecking === undefined ? {} : { hostKeyPolicy: flags.hostKeyChecking }),
    ...(flags.sshConfig === undefined ? {} : { sshConfigFile: flags.sshConfig }),
    ...(io.env["SSH_AUTH_SOCK"] ? { agentSocket: io.env["SSH_AUTH_SOCK"] } : {}),
    ...(becomePassword === undefined ? {} : { becomePassword }),
    passphraseFor: (file) => {
      const fromEnv = io.env[SecretEnv.sshPassphrase];
      if (fromEnv !== undefined) return Promise.resolve(fromEnv);
      return prompt ? prompt(`passphrase for ${file}: `) : Promise.resolve(undefined);
    },
    warn: (message) => progress.warn(message),
  });

  const startedAt = new Date();
  let results;
  try {
    results = await runExec(targets, transport, command, {
      forks,
      handshakes: FAN_OUT_DEFAULTS.handshakes,
      ...(flags.become ? { become: true } : {}),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      onHostDone: (result) => progress.hostDone(result),
    });
  } finally {
    progress.end();
    await transport.close();
  }
  const finishedAt = new Date();

  if (flags.json) io.stdout.write(execJson(results, { command, startedAt, finishedAt }));
  else io.stdout.write(`${groupedOutput(results)}\n${summaryTable(results)}`);
  return execExitCode(results);
}

async function askBecomePassword(prompt: ReturnType<typeof terminalSecretPrompt>): Promise<string> {
  if (!prompt) throw new UsageError("EXEC_NO_TERMINAL", "--ask-become-pass needs a terminal", "set FLEET_BECOME_PASSWORD instead");
  const answer = await prompt("BECOME password: ");
  if (answer === undefined) throw new UsageError("EXEC_NO_PASSWORD", "no become password given", "type it at the prompt, or set FLEET_BECOME_PASSWORD");
  return answer;
}

function positiveInteger(text: string, flag: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new UsageError("EXEC_BAD_OPTION", `${flag} must be a whole number of at least 1, not "${text}"`);
  return Number(text);
}

function positiveSeconds(text: string, flag: string): number {
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || value <= 0) throw new UsageError("EXEC_BAD_OPTION", `${flag} must be a number of seconds above 0, not "${text}"`);
  return Math.round(value * 1000);
}
