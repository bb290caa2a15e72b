import { terminalSafe } from "../terminal-safe.js";
import { UsageError } from "../../errors.js";
import { runExec } from "../../engine/exec.js";
import { FAN_OUT_DEFAULTS } from "../../engine/fan-out.js";
import { maskExecResult } from "../../engine/mask.js";
import { hostConnections } from "../../inventory/connection.js";
import { loadInventory } from "../../inventory/load.js";
import { selectHosts } from "../../inventory/select.js";
import { inShard, parseShard, shardLine } from "../../inventory/shard.js";
import { TrackingTransport } from "../../transport/tracking.js";
import { ExitCode, type ExitCodeValue } from "../exit-codes.js";
import { interruptNotice, onInterrupt } from "../interrupt.js";
import { execExitCode, execJson, groupedOutput, summaryTable } from "../exec-output.js";
import { ExecProgress } from "../exec-progress.js";
import type { CliIo } from "../program.js";
import { openTransport, positiveInteger, positiveSeconds, type ConnectionFlags } from "../connection-options.js";
import { inventorySources } from "../inventory-sources.js";
import { execSecrets } from "../secret-output.js";

export interface ExecFlags extends ConnectionFlags {
  become?: boolean;
  json?: boolean;
  timeout?: string;
}

/** `fleet exec`: run one command on every selected host and report per host. */
export async function execCommand(words: readonly string[], flags: ExecFlags, io: CliIo): Promise<ExitCodeValue> {
  const command = words.join(" ");
  if (command.trim() === "") throw new UsageError("EXEC_NO_COMMAND", "no command given", "put the command after --, e.g. fleet exec -i hosts.yml -- uptime");
  const forks = positiveInteger(flags.forks, "--forks");
  const timeoutMs = flags.timeout === undefined ? undefined : positiveSeconds(flags.timeout, "--timeout");
  const shard = flags.shard === undefined ? undefined : parseShard(flags.shard);
  const sources = inventorySources(flags.inventory ?? [], io.env);

  const inventory = await loadInventory(sources);
  for (const warning of inventory.warnings) io.stderr.write(`fleet: warning: ${terminalSafe(warning)}\n`);
  // selectHosts refuses (exit 5) a limit that selects no host
  const selected = selectHosts(inventory, undefined, flags.limit);
  const hosts = inShard(selected, shard);
  if (shard !== undefined) io.stderr.write(`${shardLine(shard, hosts.length, selected.length)}\n`);
  const targets = hostConnections(hosts);
  // every value shown from here on is masked (docs/playbooks.md, Secrets)
  const { mask, warnings } = execSecrets(inventory, io.env);
  for (const warning of warnings) io.stderr.write(`fleet: warning: ${terminalSafe(warning)}\n`);

  const progress = new ExecProgress(io.stderr, targets.length);
  const transport = new TrackingTransport(await openTransport(flags, io, (message) => progress.warn(mask.text(message)), mask));
  const stopListening = onInterrupt((signal) => {
    progress.note(interruptNotice(signal));
    transport.interrupt();
  });

  const startedAt = new Date();
  let results;
  try {
    results = await runExec(targets, transport, command, {
      forks,
      handshakes: FAN_OUT_DEFAULTS.handshakes,
      interrupted: () => transport.interrupted,
      ...(flags.become ? { become: true } : {}),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      onHostDone: (result) => progress.hostDone(maskExecResult(result, mask)),
    });
  } finally {
    stopListening();
    progress.end();
    await transport.close();
  }
  const finishedAt = new Date();

  const shown = results.map((result) => maskExecResult(result, mask));
  if (flags.json) io.stdout.write(execJson(shown, { command: mask.text(command), startedAt, finishedAt, interrupted: transport.interrupted }));
  else io.stdout.write(`${groupedOutput(shown)}\n${summaryTable(shown)}`);
  return transport.interrupted ? ExitCode.interrupted : execExitCode(results);
}
