/**
 * One HostPlayRun whose play reads host collections (facts.NAME), which runHost (host-run-harness)
 * leaves out: the same shell connection, playbook and modules, with the collections given.
 */
import { Coordinator } from "../../../../src/engine/coordinator.js";
import { HostPlayRun, type PlayRun } from "../../../../src/engine/host-run.js";
import type { TaskResult } from "../../../../src/engine/results.js";
import type { HostCollection } from "../../../../src/facts/host-collections.js";
import { playbookOf, registry, renderForTest } from "../../engine/playbook-harness.js";
import { newRoot, ShellConnection, type HostTask } from "./host-run-harness.js";

export interface CollectionsOutcome {
  run: HostPlayRun;
  connection: ShellConnection;
  root: string;
  results: TaskResult[];
  statuses: string[];
  /** execute() rejected with this. */
  thrown: unknown;
}

export async function runHostWithCollections(tasks: HostTask[], collections: readonly HostCollection[]): Promise<CollectionsOutcome> {
  const root = newRoot();
  const playbook = playbookOf(tasks as unknown as Parameters<typeof playbookOf>[0]);
  const play = playbook.plays[0] as (typeof playbook.plays)[number];
  const run: PlayRun = {
    playbook,
    play,
    playIndex: 0,
    registry,
    check: false,
    extraVars: {},
    coordinator: new Coordinator(),
    batch: 0,
    collections,
    selected: () => true,
    render: (value, scope) => renderForTest(value, scope),
    renderTemplateFile: () => "",
    stopRequested: () => false,
    interrupted: () => false,
  };
  const connection = new ShellConnection("h1");
  const hostRun = new HostPlayRun(run, connection, { host: "h1", cluster: null, hostVars: { inventory_hostname: "h1", root } });
  let thrown: unknown;
  try {
    await hostRun.execute();
  } catch (error) {
    thrown = error;
  }
  return { run: hostRun, connection, root, results: hostRun.results, statuses: hostRun.results.map((result) => `${result.name}:${result.status}`), thrown };
}
