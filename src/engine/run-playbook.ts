import { hostConnections } from "../inventory/connection.js";
import { selectHosts } from "../inventory/select.js";
import { inShard, type Shard } from "../inventory/shard.js";
import type { Inventory, InventoryHost, Vars } from "../inventory/types.js";
import { HOST_COLLECTIONS, mentionedCollections, type HostCollection } from "../facts/host-collections.js";
import type { ModuleRegistry } from "../modules/registry.js";
import type { Play, Playbook, Task } from "../playbook/types.js";
import type { Transport } from "../transport/types.js";
import { Coordinator } from "./coordinator.js";
import { fanOut, type HostRun } from "./fan-out.js";
import { HostPlayRun, type PlayRun } from "./host-run.js";
import { KeptConnections } from "./kept-connections.js";
import { hostStatusOf, type HostResult, type TaskResult } from "./results.js";
import { serialBatches } from "./serial.js";

export interface RunPlaybookOptions {
  check: boolean;
  forks: number;
  handshakes: number;
  limit: string | undefined;
  /** Only this shard of each play's hosts (--shard I/N). */
  shard?: Shard | undefined;
  /** Only these hosts (fleet apply: the hosts of the plan). */
  only?: ((host: InventoryHost) => boolean) | undefined;
  extraVars: Vars;
  registry: ModuleRegistry;
  selected(task: Task): boolean;
  /** The variables of a host as tasks see them below play vars (inventory vars, magic vars). */
  hostVars(host: InventoryHost): Vars;
  render(value: unknown, scope: object, task: Task): unknown;
  renderTemplateFile(path: string, scope: object): string;
  /** Set by the interrupt handler: start nothing new. */
  interrupted(): boolean;
  onTaskResult?(host: string, result: TaskResult): void;
  onHostDone?(result: HostResult): void;
  onPlayStart?(play: Play, hosts: number): void;
}

/**
 * Runs a playbook: plays in order, each on its hosts in serial batches, each batch's hosts in
 * parallel. A host that failed or was unreachable in a play takes no part in later plays.
 */
export async function runPlaybook(playbook: Playbook, inventory: Inventory, transport: Transport, options: RunPlaybookOptions): Promise<HostResult[]> {
  const results = new Map<string, HostResult>();
  const order = new Map([...inventory.hosts.keys()].map((name, index) => [name, index]));
  // a host the interrupt kept from a play (or from all of them) says so in its result
  const notRun = (hosts: readonly InventoryHost[]): void => {
    for (const host of hosts) {
      const previous = results.get(host.name);
      results.set(host.name, previous === undefined ? notStarted(host.name, host.cluster, 0) : { ...previous, interrupted: true });
    }
  };
  const playHosts = playbook.plays.map((play) => inShard(selectHosts(inventory, play.hosts, options.limit), options.shard).filter((host) => options.only?.(host) ?? true));
  let currentPlay = 0;
  const kept = keptConnections(playHosts, options.forks, () => currentPlay);
  try {
    for (const [playIndex, play] of playbook.plays.entries()) {
      currentPlay = playIndex;
      await playOnce(playIndex, play);
      await kept?.closeAll((host) => !isOut(results.get(host)));
    }
  } finally {
    await kept?.closeAll();
  }
  // inventory order, whatever order hosts finished in
  return [...results.values()].sort((a, b) => (order.get(a.host) ?? 0) - (order.get(b.host) ?? 0));

  async function playOnce(playIndex: number, play: Play): Promise<void> {
    const hosts = (playHosts[playIndex] ?? []).filter((host) => !isOut(results.get(host.name)));
    if (options.interrupted()) {
      notRun(hosts);
      return;
    }
    options.onPlayStart?.(play, hosts.length);
    const coordinator = new Coordinator();
    const collections = collectionsOf(play);
    let abortPlay = false;
    for (const [batch, batchHosts] of serialBatches(hosts, play.serial).entries()) {
      if (abortPlay) break;
      if (options.interrupted()) {
        notRun(batchHosts);
        continue;
      }
      const byName = new Map(batchHosts.map((host) => [host.name, host]));
      const run: PlayRun = {
        playbook,
        play,
        playIndex,
        registry: options.registry,
        check: options.check,
        extraVars: options.extraVars,
        coordinator,
        batch,
        collections,
        selected: options.selected,
        render: options.render,
        renderTemplateFile: options.renderTemplateFile,
        stopRequested: () => abortPlay || options.interrupted(),
        interrupted: options.interrupted,
        onHostFailed: () => {
          if (play.anyErrorsFatal) abortPlay = true;
        },
        ...(options.onTaskResult ? { onTaskResult: options.onTaskResult } : {}),
      };
      const runs = await fanOut(
        hostConnections(batchHosts),
        transport,
        async (connection, target) => {
          const host = byName.get(target.host) as InventoryHost;
          const hostRun = new HostPlayRun(run, connection, { host: host.name, cluster: host.cluster, hostVars: options.hostVars(host) });
          await hostRun.execute();
          return hostRun;
        },
        {
          forks: options.forks,
          handshakes: options.handshakes,
          stopped: options.interrupted,
          ...(kept === undefined ? {} : { connections: kept }),
          onEvent: (event) => {
            if (event.type !== "host-finished") return;
            const cluster = byName.get(event.host)?.cluster ?? null;
            const outcome = outcomeOf(event.run, cluster);
            const merged = merge(results.get(event.host), outcome);
            results.set(event.host, merged);
            options.onHostDone?.(merged);
          },
        },
      );
      const failedInBatch = runs.filter((hostRun) => hostRun.kind !== "done" || hostRun.value.failed).length;
      if (play.maxFailPercentage !== undefined && batchHosts.length > 0 && (failedInBatch / batchHosts.length) * 100 > play.maxFailPercentage) abortPlay = true;
    }
  }
}

/**
 * Connections kept across plays when every host the run may reach fits in the forks: then no
 * more than `forks` connections are ever open, as without keeping. A larger run reconnects a host
 * for each of its plays.
 */
function keptConnections(playHosts: readonly (readonly InventoryHost[])[], forks: number, currentPlay: () => number): KeptConnections<HostPlayRun> | undefined {
  const lastPlay = new Map<string, number>();
  for (const [index, hosts] of playHosts.entries()) for (const host of hosts) lastPlay.set(host.name, index);
  if (playHosts.length < 2 || lastPlay.size > forks) return undefined;
  return new KeptConnections(endedWell, (host) => (lastPlay.get(host) ?? -1) > currentPlay());
}

const endedWell = (run: HostRun<HostPlayRun>): boolean => run.kind === "done" && !run.value.failed && !run.value.unreachable && !run.value.interrupted;

function collectionsOf(play: Play): HostCollection[] {
  const texts: string[] = [];
  for (const task of [...play.tasks, ...play.handlers]) {
    texts.push(...task.when.map((when) => when.source), JSON.stringify(task.args));
    for (const rule of [task.changedWhen, task.failedWhen]) if (Array.isArray(rule)) texts.push(...rule.map((when) => when.source));
  }
  return mentionedCollections(texts).map((name) => HOST_COLLECTIONS.get(name) as HostCollection);
}

const isOut = (result: HostResult | undefined): boolean => result !== undefined && (result.stopped || result.interrupted);

function outcomeOf(run: HostRun<HostPlayRun>, cluster: string | null): HostResult {
  switch (run.kind) {
    case "done":
      return fromRun(run.value, run.durationMs);
    case "unreachable":
      return { ...stopped(run.host, cluster, "unreachable", run.error.message, run.durationMs), ...(run.error.hint === undefined ? {} : { hint: run.error.hint }) };
    case "crashed":
      return stopped(run.host, cluster, "failed", `internal error (please report it): ${run.message}`, run.durationMs);
    case "not-started":
      return notStarted(run.host, cluster, run.durationMs);
  }
}

function notStarted(host: string, cluster: string | null, durationMs: number): HostResult {
  return { host, cluster, status: "ok", error: "not started: the run was interrupted", interrupted: true, stopped: false, tasks: [], durationMs, execs: 0 };
}

function fromRun(run: HostPlayRun, durationMs: number): HostResult {
  return {
    host: run.host,
    cluster: run.cluster,
    status: run.unreachable ? "unreachable" : hostStatusOf(run.results, run.failed),
    error: run.error,
    interrupted: run.interrupted,
    stopped: run.failed,
    tasks: run.results,
    durationMs,
    execs: run.execs,
  };
}

/** A host whose play ended before any task result: no connection, or a bug in fleet. */
function stopped(host: string, cluster: string | null, status: "failed" | "unreachable", message: string, durationMs: number): HostResult {
  return { host, cluster, status, error: message, interrupted: false, stopped: true, tasks: [], durationMs, execs: 0 };
}

/** A host's results across plays: tasks appended, the worst status kept. */
function merge(previous: HostResult | undefined, next: HostResult): HostResult {
  if (previous === undefined) return next;
  return { ...next, tasks: [...previous.tasks, ...next.tasks], durationMs: previous.durationMs + next.durationMs, execs: previous.execs + next.execs, status: worse(previous.status, next.status), stopped: previous.stopped || next.stopped, interrupted: previous.interrupted || next.interrupted };
}

const ORDER = ["ok", "changed", "failed", "unreachable"] as const;
const worse = (a: HostResult["status"], b: HostResult["status"]): HostResult["status"] => (ORDER.indexOf(a) > ORDER.indexOf(b) ? a : b);
