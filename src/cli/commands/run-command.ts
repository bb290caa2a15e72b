import { terminalSafe } from "../terminal-safe.js";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { FleetError, InputFileError, UsageError } from "../../errors.js";
import { buildPlan } from "../../plan/build.js";
import { playbookDigest } from "../../plan/playbook-digest.js";
import { PLAN_KEY_ENV, planSize } from "../../plan/types.js";
import { writeTextAtomically } from "../atomic-write.js";
import { FAN_OUT_DEFAULTS } from "../../engine/fan-out.js";
import { isNoLog, maskHostResult, maskTaskResult } from "../../engine/mask.js";
import { PendingValue } from "../../engine/pending.js";
import type { HostResult } from "../../engine/results.js";
import { runPlaybook } from "../../engine/run-playbook.js";
import { taskScope } from "../../engine/scope.js";
import { loadInventory } from "../../inventory/load.js";
import { selectHosts } from "../../inventory/select.js";
import { inShard, parseShard, shardLine, type Shard } from "../../inventory/shard.js";
import type { Inventory, InventoryHost, Vars } from "../../inventory/types.js";
import { builtinModules } from "../../modules/registry.js";
import { parseExtraVars } from "../../playbook/extra-vars.js";
import { loadPlaybook, resolvePlaybookPath } from "../../playbook/load.js";
import { secretsOfResult } from "../../playbook/secrets.js";
import { selectedByTags } from "../../playbook/tags.js";
import { renderTaskArgs, renderTemplateFile } from "../../playbook/template.js";
import type { Play, Playbook, Task } from "../../playbook/types.js";
import { buildReport } from "../../report/build.js";
import { diffReports, renderDiffTable } from "../../report/diff.js";
import { formatOfFile } from "../../report/formats.js";
import { loadReport } from "../../report/load-report.js";
import { historyTarget, keepInHistory } from "../../report/history.js";
import { applyWaivers } from "../../report/waivers.js";
import { loadWaivers } from "../../report/waivers-file.js";
import { renderSummaryTable } from "../../report/render-table.js";
import { TrackingTransport } from "../../transport/tracking.js";
import { openTransport, positiveInteger, type ConnectionFlags } from "../connection-options.js";
import { ExitCode, type ExitCodeValue } from "../exit-codes.js";
import { interruptNotice, onInterrupt } from "../interrupt.js";
import { inventorySources } from "../inventory-sources.js";
import type { CliIo } from "../program.js";
import { useColor, writeReportFile } from "../report-files.js";
import { RunProgress } from "../run-progress.js";
import { recapTable, runExitCode, summaryLine, taskLine, unreachableLines, type OutputSettings } from "../run-output.js";
import { maskedError, runSecrets } from "../secret-output.js";

export interface RunFlags extends ConnectionFlags {
  tags?: string;
  skipTags?: string;
  extraVars?: string[];
  check?: boolean;
  diff?: boolean;
  report?: string[];
  waivers?: string;
  baseline?: string;
  verbose?: boolean;
  history?: string;
  keep?: string;
  planOut?: string;
}

/** After an interrupt, how long the run may take to settle before the connections are cut. */
const SETTLE_AFTER_INTERRUPT_MS = 15_000;

/** The playbooks fleet ships, beside dist/ (or src/) in the package. */
export const SHIPPED_PLAYBOOKS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../playbooks");

/** `fleet run` and `fleet audit`: a playbook on the selected hosts, a recap, a report, an exit code. */
export async function runCommand(playbookName: string, flags: RunFlags, io: CliIo, mode: "run" | "audit"): Promise<ExitCodeValue> {
  const check = mode === "audit" || flags.check === true;
  const forks = positiveInteger(flags.forks, "--forks");
  const shard = flags.shard === undefined ? undefined : parseShard(flags.shard);
  if (flags.planOut !== undefined && !check) throw new UsageError("PLAN_NEEDS_CHECK", "--plan-out needs check mode: a plan is made by an audit", "use fleet audit PLAYBOOK --plan-out PLAN.json (or fleet run --check)");
  const reports = flags.report ?? [];
  for (const file of reports) formatOfFile(file);
  const history = historyTarget(flags.history, flags.keep);
  const registry = builtinModules();

  const playbookPath = resolvePlaybookPath(playbookName, process.cwd(), SHIPPED_PLAYBOOKS);
  const playbook = await loadPlaybook(playbookPath, { registry });
  const inventory = await loadInventory(inventorySources(flags.inventory ?? [], io.env));
  for (const warning of inventory.warnings) io.stderr.write(`fleet: warning: ${terminalSafe(warning)}\n`);
  const extraVars = parseExtraVars(flags.extraVars ?? [], { cwd: process.cwd() });
  const everyHost = selectHosts(inventory, undefined, flags.limit);
  const tagSelection = { tags: splitList(flags.tags), skipTags: splitList(flags.skipTags) };
  const selected = (task: Task): boolean => selectedByTags(task, tagSelection);
  // every value shown or written from here on is masked (docs/playbooks.md, Secrets)
  const { mask, warnings } = runSecrets(playbook, inventory, extraVars, io.env, hostVars);
  for (const warning of warnings) io.stderr.write(`fleet: warning: ${terminalSafe(warning)}\n`);
  try {
    preflight(playbook, inventory, flags.limit, shard, extraVars);
  } catch (error) {
    throw maskedError(error, mask);
  }
  // read before any host is touched: a broken waivers or baseline file is exit 4 up front
  const waivers = flags.waivers === undefined ? [] : await loadWaivers(flags.waivers);
  const baseline = flags.baseline === undefined ? undefined : await loadReport(flags.baseline);

  const settings: OutputSettings = { check, verbose: flags.verbose === true, diff: flags.diff === true };
  if (shard !== undefined) io.stderr.write(`${shardLine(shard, inShard(everyHost, shard).length, everyHost.length)}\n`);
  io.stderr.write(`fleet ${mode}${check && mode === "run" ? " --check" : ""}: ${playbook.file}${playbookPath === playbook.path && !path.isAbsolute(playbookName) && path.resolve(playbookName) !== playbook.path ? ` (shipped with fleet: ${playbook.path})` : ""}\n`);
  const progress = new RunProgress(io.stderr);
  const transport = new TrackingTransport(await openTransport(flags, io, (message) => progress.print(io.stderr, `fleet: warning: ${mask.text(message)}\n`), mask));
  let lastResort: NodeJS.Timeout | undefined;
  const stopListening = onInterrupt((signal) => {
    progress.print(io.stderr, `\n${interruptNotice(signal)}\n`);
    transport.interrupt();
    // the kills end every command within seconds; a host that does not answer them is cut off
    lastResort = setTimeout(() => void transport.closeAll(), SETTLE_AFTER_INTERRUPT_MS);
    lastResort.unref();
  });

  const startedAt = new Date();
  let results: HostResult[];
  try {
    results = await runPlaybook(playbook, inventory, transport, {
      check,
      forks,
      handshakes: FAN_OUT_DEFAULTS.handshakes,
      limit: flags.limit,
      shard,
      extraVars,
      registry,
      selected,
      hostVars,
      render: (value, scope, task) => renderTaskArgs({ ...task, args: value as Record<string, unknown> }, scope),
      renderTemplateFile: (file, scope) => renderTemplateFile(path.join(playbook.baseDir, "templates", file), scope),
      interrupted: () => transport.interrupted,
      onPlayStart: (play, count) => {
        progress.print(io.stderr, `PLAY [${play.name}] on ${count} host${count === 1 ? "" : "s"}\n`);
        progress.playStarted(play.name, count);
      },
      onHostDone: (host) => progress.hostDone(host),
      onTaskResult: (host, result) => {
        for (const value of secretsOfResult(playbook.plays, result)) mask.add(value);
        progress.print(io.stdout, taskLine(host, maskTaskResult(result, mask, isNoLog(playbook, result)), settings));
      },
    });
  } finally {
    progress.end();
    stopListening();
    clearTimeout(lastResort);
    await transport.close();
  }
  const interrupted = transport.interrupted;
  const hosts = results.map((host) => maskHostResult(host, mask, playbook));
  const groups = new Map(hosts.map((host) => [host.host, inventory.hosts.get(host.host)?.groups.filter((group) => group !== "all" && group !== "ungrouped") ?? []]));
  const waived = applyWaivers(buildReport({ mode: check ? "audit" : "run", playbook, startedAt, finishedAt: new Date(), interrupted, ...(shard === undefined ? {} : { shard }), hosts, groups, selected }), waivers, new Date());
  for (const warning of waived.warnings) io.stderr.write(`fleet: warning: ${mask.text(warning)}\n`);
  const report = mask.deep(waived.report);
  io.stdout.write(`\n${unreachableLines(hosts)}${recapTable(hosts, settings)}`);
  if (report.controls.length > 0) io.stdout.write(`\n${renderSummaryTable(report, { color: useColor(io.stdout, io.env) })}`);
  io.stdout.write(summaryLine(report));
  const drift = baseline === undefined ? undefined : diffReports(baseline, report);
  if (drift !== undefined) io.stdout.write(`\nDrift since ${flags.baseline}:\n${renderDiffTable(drift)}`);
  for (const file of reports) writeReportFile(file, report, formatOfFile(file), drift);
  if (history !== undefined) {
    const kept = keepInHistory(history, report);
    io.stderr.write(`fleet: report kept in ${terminalSafe(kept.file)}${kept.pruned.length > 0 ? ` (${kept.pruned.length} older removed, --keep ${history.keep})` : ""}\n`);
  }
  if (flags.planOut !== undefined) {
    if (interrupted) io.stderr.write(`fleet: plan not written to ${flags.planOut}: the audit was interrupted, so it would be incomplete\n`);
    else {
      const plan = buildPlan({ playbook, playbookDigest: playbookDigest(playbook), extraVars, tags: tagSelection.tags, skipTags: tagSelection.skipTags, hosts: results, createdAt: new Date(), mask, key: io.env[PLAN_KEY_ENV] });
      writeTextAtomically(flags.planOut, `${JSON.stringify(plan, null, 2)}\n`);
      io.stderr.write(`fleet: plan: ${planSize(plan)} written to ${flags.planOut} (review it with fleet plan show, apply it with fleet apply)\n`);
    }
  }
  if (interrupted) return ExitCode.interrupted;
  return runExitCode(report, mode);
}

/** A host's inventory variables, plus the names every Ansible user expects. */
export function hostVars(host: InventoryHost): Vars {
  return { ...host.vars, inventory_hostname: host.name, group_names: host.groups.filter((group) => group !== "all" && group !== "ungrouped") };
}

/**
 * Renders every task's arguments for every selected host before any host is touched, with facts
 * and registered results not known yet: an undefined variable is a located input error (exit 4)
 * instead of a failure halfway through a run.
 */
function preflight(playbook: Playbook, inventory: Inventory, limit: string | undefined, shard: Shard | undefined, extraVars: Vars): void {
  const problems = new Map<string, FleetError>();
  for (const play of playbook.plays) {
    const hosts = inShard(playHosts(inventory, play, limit), shard);
    const registers = [...play.tasks, ...play.handlers].flatMap((task) => (task.register === undefined ? [] : [task.register]));
    for (const host of hosts) {
      const scope = taskScope({ hostVars: hostVars(host), play, registered: new Map(registers.map((name) => [name, { pending: name, afterGather: false, since: -1, previous: undefined }])), extraVars, facts: undefined });
      for (const task of [...play.tasks, ...play.handlers]) {
        try {
          renderTaskArgs(task, scope);
        } catch (error) {
          if (error instanceof PendingValue) continue;
          if (!(error instanceof FleetError)) throw error;
          const key = `${error.location?.file}:${error.location?.line}:${error.message}`;
          if (!problems.has(key)) problems.set(key, error);
        }
      }
    }
  }
  if (problems.size > 0) throw new InputFileError([...problems.values()]);
}

function playHosts(inventory: Inventory, play: Play, limit: string | undefined): InventoryHost[] {
  try {
    return selectHosts(inventory, play.hosts, limit);
  } catch {
    return [];
  }
}

const splitList = (text: string | undefined): string[] => (text === undefined ? [] : text.split(",").map((item) => item.trim()).filter((item) => item !== ""));
