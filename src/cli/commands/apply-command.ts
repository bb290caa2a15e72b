import path from "node:path";
import { FleetError, UsageError } from "../../errors.js";
import { FAN_OUT_DEFAULTS } from "../../engine/fan-out.js";
import type { HostResult } from "../../engine/results.js";
import { runPlaybook } from "../../engine/run-playbook.js";
import { hostConnections } from "../../inventory/connection.js";
import { loadInventory } from "../../inventory/load.js";
import { builtinModules } from "../../modules/registry.js";
import { extraVarsDigest, plannable } from "../../plan/build.js";
import { decideHosts, type HostDecision } from "../../plan/decide.js";
import { applyPlannedChanges, type ApplyTarget, type ChangeOutcome } from "../../plan/apply-hosts.js";
import { assertFresh, loadPlan, parseDuration, PlanCode } from "../../plan/load.js";
import { playbookDigest } from "../../plan/playbook-digest.js";
import { PLAN_KEY_ENV, planSize } from "../../plan/types.js";
import { parseExtraVars } from "../../playbook/extra-vars.js";
import { loadPlaybook, resolvePlaybookPath } from "../../playbook/load.js";
import { selectedByTags } from "../../playbook/tags.js";
import { renderTaskArgs, renderTemplateFile } from "../../playbook/template.js";
import { TrackingTransport } from "../../transport/tracking.js";
import { openTransport, positiveInteger, type ConnectionFlags } from "../connection-options.js";
import { ExitCode, type ExitCodeValue } from "../exit-codes.js";
import { interruptNotice, onInterrupt } from "../interrupt.js";
import { inventorySources } from "../inventory-sources.js";
import type { CliIo } from "../program.js";
import { runSecrets } from "../secret-output.js";
import { terminalSafe } from "../terminal-safe.js";
import { hostVars, SHIPPED_PLAYBOOKS } from "./run-command.js";

export interface ApplyFlags extends ConnectionFlags {
  extraVars?: string[];
  maxAge?: string;
}

/**
 * `fleet apply PLAN`: on each host of a reviewed plan, read the state again (a check-mode pass of
 * the same playbook); where it is what the plan was made from, apply exactly the planned changes;
 * where it is not, change nothing and say the host drifted. Hosts outside the plan are not touched.
 */
export async function applyCommand(planFile: string, flags: ApplyFlags, io: CliIo): Promise<ExitCodeValue> {
  const forks = positiveInteger(flags.forks, "--forks");
  const maxAgeMs = parseDuration(flags.maxAge ?? "24h", "--max-age");
  const plan = await loadPlan(planFile, io.env[PLAN_KEY_ENV]);
  assertFresh(plan, maxAgeMs, new Date());
  const registry = builtinModules();
  const playbook = await loadPlaybook(resolvePlaybookPath(plan.playbook.file, process.cwd(), SHIPPED_PLAYBOOKS), { registry });
  if (playbookDigest(playbook) !== plan.playbook.digest) {
    throw new FleetError(PlanCode.playbook, `${plan.playbook.file} (or its vars files or templates) changed since the plan was made`, { category: "usage", hint: "a plan applies only with the playbook version it was made for: make and review the plan again" });
  }
  const extraVars = parseExtraVars(flags.extraVars ?? [], { cwd: process.cwd() });
  if (extraVarsDigest(extraVars) !== plan.extraVarsDigest) {
    throw new FleetError(PlanCode.extraVars, "the -e values differ from those the plan was made with", { category: "usage", hint: "give fleet apply the same -e options as the audit that made the plan" });
  }
  const inventory = await loadInventory(inventorySources(flags.inventory ?? [], io.env));
  for (const warning of inventory.warnings) io.stderr.write(`fleet: warning: ${terminalSafe(warning)}\n`);
  const unknown = plan.hosts.filter((host) => !inventory.hosts.has(host.name)).map((host) => host.name);
  if (unknown.length > 0) throw new UsageError(PlanCode.unknownHost, `the plan names host${unknown.length === 1 ? "" : "s"} the inventory does not have: ${unknown.slice(0, 10).join(", ")}`, "give the inventory the plan was made with (-i)");
  io.stderr.write(`fleet apply: ${planFile}: ${planSize(plan)}, made ${plan.createdAt} for ${plan.playbook.file}\n`);
  if (plan.hosts.length === 0) {
    io.stdout.write("nothing to apply: the plan has no changes\n");
    return ExitCode.ok;
  }

  const { mask } = runSecrets(playbook, inventory, extraVars, io.env, hostVars);
  const transport = new TrackingTransport(await openTransport(flags, io, (message) => io.stderr.write(`fleet: warning: ${mask.text(message)}\n`), mask));
  const stopListening = onInterrupt((signal) => {
    io.stderr.write(`\n${interruptNotice(signal)}\n`);
    transport.interrupt();
  });
  const planned = new Set(plan.hosts.map((host) => host.name));
  const tags = { tags: plan.tags, skipTags: plan.skipTags };
  let decisions: HostDecision[];
  const applied = new Map<string, ChangeOutcome[] | string>();
  io.stderr.write(`fleet apply: reading the ${plan.hosts.length} planned host${plan.hosts.length === 1 ? "" : "s"} again\n`);
  try {
    const now: HostResult[] = await runPlaybook(playbook, inventory, transport, {
      check: true,
      forks,
      handshakes: FAN_OUT_DEFAULTS.handshakes,
      limit: undefined,
      only: (host) => planned.has(host.name),
      extraVars,
      registry,
      selected: (task) => selectedByTags(task, tags),
      hostVars,
      render: (value, scope, task) => renderTaskArgs({ ...task, args: value as Record<string, unknown> }, scope),
      renderTemplateFile: (file, scope) => renderTemplateFile(path.join(playbook.baseDir, "templates", file), scope),
      interrupted: () => transport.interrupted,
    });
    decisions = decideHosts(plan, now, (value) => mask.deep(value), (task) => plannable(playbook, task));
    const targets: ApplyTarget[] = decisions.flatMap((decision) => {
      const host = inventory.hosts.get(decision.host);
      const [connection] = host === undefined ? [] : hostConnections([host]);
      return decision.kind === "apply" && connection !== undefined ? [{ connection, changes: decision.changes }] : [];
    });
    if (!transport.interrupted && targets.length > 0) {
      io.stderr.write(`fleet apply: applying on ${targets.length} host${targets.length === 1 ? "" : "s"} whose state is as planned (${plan.hosts.length - targets.length} left alone)\n`);
      const runs = await applyPlannedChanges(targets, transport, { forks, handshakes: FAN_OUT_DEFAULTS.handshakes, stopped: () => transport.interrupted });
      for (const run of runs) applied.set(run.host, run.kind === "done" ? run.value : run.kind === "unreachable" ? run.error.message : run.kind === "crashed" ? `internal error (please report it): ${run.message}` : "not started: the run was interrupted");
    }
  } finally {
    stopListening();
    await transport.close();
  }

  let drifted = 0;
  let failed = 0;
  let unreachable = 0;
  let changes = 0;
  for (const decision of decisions) {
    const name = terminalSafe(decision.host);
    if (decision.kind !== "apply") {
      if (decision.kind === "drifted") drifted += 1;
      else unreachable += 1;
      io.stdout.write(`${name}: ${decision.kind === "drifted" ? "DRIFTED since plan, nothing changed" : "UNREACHABLE, nothing changed"} — ${terminalSafe(mask.text(decision.reason))}\n`);
      continue;
    }
    const outcome = applied.get(decision.host);
    if (outcome === undefined || typeof outcome === "string") {
      unreachable += 1;
      io.stdout.write(`${name}: UNREACHABLE while applying — ${terminalSafe(mask.text(outcome ?? "not started: the run was interrupted"))}\n`);
      continue;
    }
    for (const change of outcome) io.stdout.write(`${name}: ${change.status}: ${terminalSafe(mask.text(change.name))} — ${terminalSafe(mask.text(change.message))}\n`);
    changes += outcome.filter((change) => change.status === "changed").length;
    if (outcome.some((change) => change.status !== "changed")) failed += 1;
    if (decision.notInPlan > 0) io.stdout.write(`${name}: ${decision.notInPlan} change${decision.notInPlan === 1 ? "" : "s"} found now that the plan does not hold: not applied (audit again for a new plan)\n`);
  }
  io.stdout.write(`\napplied ${changes} change${changes === 1 ? "" : "s"} · ${drifted} host${drifted === 1 ? "" : "s"} drifted since plan · ${failed} failed · ${unreachable} unreachable\n`);
  if (transport.interrupted) return ExitCode.interrupted;
  if (drifted > 0 || failed > 0) return ExitCode.taskFailed;
  return unreachable > 0 ? ExitCode.unreachable : ExitCode.ok;
}
