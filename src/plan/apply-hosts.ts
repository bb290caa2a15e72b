import { applyChanges, type ChangeToApply } from "../engine/apply.js";
import { fanOut, type HostRun } from "../engine/fan-out.js";
import type { HostConnection } from "../inventory/types.js";
import { describeFailure } from "../transport/exit-meaning.js";
import type { Connection, Transport } from "../transport/types.js";
import type { ChangeToRun } from "./decide.js";

export type ChangeOutcome = { name: string; status: "changed" | "failed" | "not-run"; message: string };

export interface ApplyTarget {
  connection: HostConnection;
  changes: ChangeToRun[];
}

/** Applies each host's changes in the plan's order, consecutive changes with the same become in one exec; stops a host at its first failing change (unless ignore_errors). */
export async function applyPlannedChanges(targets: readonly ApplyTarget[], transport: Transport, options: { forks: number; handshakes: number; stopped: () => boolean }): Promise<HostRun<ChangeOutcome[]>[]> {
  const byHost = new Map(targets.map((target) => [target.connection.host, target.changes]));
  return fanOut(targets.map((target) => target.connection), transport, (connection, target) => applyHost(connection, byHost.get(target.host) ?? []), options);
}

async function applyHost(connection: Connection, changes: readonly ChangeToRun[]): Promise<ChangeOutcome[]> {
  const outcomes: ChangeOutcome[] = [];
  let stopped = false;
  for (const group of groups(changes)) {
    if (stopped) {
      outcomes.push(...group.map(({ planned }) => ({ name: planned.name, status: "not-run" as const, message: "not run: an earlier change failed" })));
      continue;
    }
    const toApply: ChangeToApply[] = group.map(({ planned, commands }) => ({ commands, continueOnFailure: planned.continueOnFailure, timeoutSeconds: planned.timeoutSeconds ?? undefined }));
    const first = group[0]?.planned;
    const applied = await applyChanges(connection, toApply, {
      ...(first?.become === null || first === undefined ? {} : { become: first.become }),
      ...(first?.becomeUser === null || first === undefined ? {} : { becomeUser: first.becomeUser }),
    });
    if (applied.lost) throw applied.lost;
    const whole = applied.exec === null ? "the connection broke" : describeFailure(applied.exec);
    group.forEach(({ planned }, index) => {
      const outcome = applied.outcomes[index];
      if (stopped || outcome === undefined || !outcome.ran) {
        outcomes.push({ name: planned.name, status: "not-run", message: stopped ? "not run: an earlier change failed" : `not run${whole ? `: ${whole}` : ""}` });
        stopped = true;
        return;
      }
      if (outcome.exitCode === 0) outcomes.push({ name: planned.name, status: "changed", message: planned.summary });
      else {
        const said = outcome.stderr.trim().split("\n").slice(-2).join(" / ");
        outcomes.push({ name: planned.name, status: "failed", message: `${planned.summary}: failed${said ? `: ${said}` : ` with exit ${outcome.exitCode}`}` });
        if (!planned.continueOnFailure) stopped = true;
      }
    });
  }
  return outcomes;
}

/** Consecutive changes with the same become settings; a change with a timeout alone (as the engine does). */
function groups(changes: readonly ChangeToRun[]): ChangeToRun[][] {
  const result: ChangeToRun[][] = [];
  let key: string | undefined;
  for (const change of changes) {
    const { become, becomeUser, timeoutSeconds, play, task } = change.planned;
    const next = `${String(become)}|${becomeUser ?? ""}${timeoutSeconds === null ? "" : `|timed:${play}/${task}`}`;
    if (next !== key || result.length === 0) result.push([]);
    result[result.length - 1]?.push(change);
    key = next;
  }
  return result;
}
